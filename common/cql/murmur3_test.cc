// Murmur3 token tests: fixed vectors (produced with python3-cassandra's
// cassandra.murmur3.murmur3) and, at test time, 300 random keys of every length 0..99
// cross-checked against the same independent implementation.
#include "common/cql/murmur3.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "common/cql/test_util.h"

namespace airstream {
namespace {

using testutil::from_hex;
using testutil::to_hex;

TEST(Murmur3, FixedVectors) {
  struct V {
    const char* hex;
    int64_t token;
  } vectors[] = {
      {"61", -8839064797231613815LL},
      {"68656c6c6f", -3758069500696749310LL},
      {"000102030405060708090a0b0c0d0e0f10", 6662781046685680142LL},
      {"ffffffffffffffffffffffffffffff", -2195530867418009455LL},
      {"80818283848586878889", -7623170703309721106LL},
      {"123e4567e89b12d3a456426614174000", -44119901388393997LL},
  };
  for (const auto& v : vectors) EXPECT_EQ(murmur3_token(from_hex(v.hex)), v.token) << v.hex;
}

TEST(Murmur3, CompositeKeyLayout) {
  EXPECT_EQ(composite_partition_key({"abc"}), "abc");
  std::string k = composite_partition_key({"ab", std::string_view("\x01", 1)});
  EXPECT_EQ(to_hex(k),
            "0002616200"
            "000101"
            "00");
}

TEST(Murmur3, MatchesPythonDriverOnRandomKeys) {
  if (!testutil::have_python_driver()) GTEST_SKIP() << "python3-cassandra not installed";
  std::mt19937 rng(42);
  std::vector<std::string> keys;
  for (int i = 0; i < 300; i++) {
    std::string k(static_cast<size_t>(i % 100), '\0');
    for (auto& c : k) c = static_cast<char>(rng() & 0xff);
    keys.push_back(k);
  }
  std::ostringstream script;
  script << "from cassandra.murmur3 import murmur3\nfor h in [";
  for (auto& k : keys) script << "'" << to_hex(k) << "',";
  script << "]:\n    print(murmur3(bytes.fromhex(h)))\n";
  auto out = testutil::run_python(script.str());
  ASSERT_TRUE(out.has_value());
  std::istringstream in(*out);
  for (auto& k : keys) {
    int64_t want;
    ASSERT_TRUE(in >> want);
    if (want == INT64_MIN) want = INT64_MAX;
    EXPECT_EQ(murmur3_token(k), want) << to_hex(k);
  }
}

}  // namespace
}  // namespace airstream
