// rufetch: fetch users from the randomuser.me API as NDJSON (see app.cc, rufetch(1)).
#include "app.h"

int main(int argc, char** argv) {
  return airstream::rufetch::run(argc, argv);
}
