// libFuzzer target: the CQL frame and segment decoders (common/cql/wire.h,
// protocol.h; native_protocol_v5.spec sections 2 and 3): v5 segments (plain or LZ4,
// chosen by the first byte) decoded in a loop, then the rest read as a frame header
// and body: body prefix, RESULT and ERROR bodies in protocol v4 and v5, LZ4 bodies.
#include "common/cql/protocol.h"
#include "common/cql/wire.h"
#include "fuzz_util.h"

using namespace airstream;
using namespace airstream::cql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  bool lz4 = data[0] & 1;
  std::string_view in = fuzz::as_view(data + 1, size - 1);
  std::string_view segs = in;
  for (int i = 0; i < 64 && !segs.empty(); i++) {
    Segment seg;
    size_t consumed = 0;
    std::string err;
    if (decode_segment(segs, lz4, seg, consumed, err) != SegmentResult::kOk || consumed == 0) break;
    segs.remove_prefix(consumed);
  }
  if (in.size() < 9) return 0;
  FrameHeader h = parse_header(in.data());
  std::string_view body = in.substr(9);
  std::vector<std::string> warnings;
  std::string_view rest = skip_body_prefix(h, body, &warnings);
  for (int version : {4, 5}) {
    auto r = decode_result(rest, version);
    (void)r;
    CqlError e = decode_error(rest, version);
    (void)e;
  }
  std::string out;
  (void)lz4_decompress_body(body, out);
  return 0;
}
