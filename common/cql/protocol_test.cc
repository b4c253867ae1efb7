// CQL message tests: ERROR bodies of every code with their details (v4 and v5
// layouts), RESULT kinds (void, rows, set_keyspace, prepared on v4 and v5,
// schema_change) and request bodies (STARTUP, AUTH_RESPONSE, QUERY, PREPARE).
#include "common/cql/protocol.h"

#include <gtest/gtest.h>

#include "common/cql/test_util.h"

namespace airstream::cql {
namespace {

using testutil::to_hex;

std::string error_body(int32_t code, const std::string& msg) {
  std::string b;
  put_i32(b, code);
  put_string(b, msg);
  return b;
}

TEST(CqlProtocol, DecodesUnavailable) {
  std::string b = error_body(kErrUnavailable, "Cannot achieve consistency");
  put_u16(b, kLocalQuorum);
  put_i32(b, 2);
  put_i32(b, 1);
  CqlError e = decode_error(b, 4);
  EXPECT_EQ(e.code, kErrUnavailable);
  EXPECT_EQ(e.consistency, kLocalQuorum);
  EXPECT_EQ(e.block_for, 2);
  EXPECT_EQ(e.alive, 1);
  EXPECT_TRUE(e.retryable());
  EXPECT_EQ(e.describe(), "Unavailable: Cannot achieve consistency (consistency LOCAL_QUORUM, required 2, alive 1)");
}

TEST(CqlProtocol, DecodesWriteTimeoutV4AndCasV5) {
  std::string b = error_body(kErrWriteTimeout, "timeout");
  put_u16(b, kOne);
  put_i32(b, 0);
  put_i32(b, 1);
  put_string(b, "SIMPLE");
  CqlError e = decode_error(b, 4);
  EXPECT_EQ(e.write_type, "SIMPLE");
  EXPECT_EQ(e.block_for, 1);
  EXPECT_TRUE(e.retryable());
  EXPECT_EQ(e.describe(), "Write_timeout: timeout (consistency ONE, received 0 of 1, write type SIMPLE)");
  std::string c = error_body(kErrWriteTimeout, "cas");
  put_u16(c, kQuorum);
  put_i32(c, 1);
  put_i32(c, 2);
  put_string(c, "CAS");
  put_u16(c, 3);
  EXPECT_EQ(decode_error(c, 5).contentions, 3);
}

TEST(CqlProtocol, DecodesFailuresWithReasonMapOnV5) {
  std::string v4 = error_body(kErrWriteFailure, "failed");
  put_u16(v4, kOne);
  put_i32(v4, 0);
  put_i32(v4, 1);
  put_i32(v4, 2);
  put_string(v4, "BATCH");
  CqlError e4 = decode_error(v4, 4);
  EXPECT_EQ(e4.num_failures, 2);
  EXPECT_EQ(e4.write_type, "BATCH");
  std::string v5 = error_body(kErrWriteFailure, "failed");
  put_u16(v5, kOne);
  put_i32(v5, 0);
  put_i32(v5, 1);
  put_i32(v5, 1);
  put_u8(v5, 4);
  v5 += std::string("\x0a\x00\x00\x02", 4);
  put_u16(v5, 0x0001);
  put_string(v5, "SIMPLE");
  CqlError e5 = decode_error(v5, 5);
  ASSERT_EQ(e5.reasons.size(), 1u);
  EXPECT_EQ(e5.reasons[0].first, "10.0.0.2");
  EXPECT_EQ(e5.reasons[0].second, 1);
  EXPECT_EQ(e5.write_type, "SIMPLE");
  std::string rf = error_body(kErrReadFailure, "rf");
  put_u16(rf, kOne);
  put_i32(rf, 0);
  put_i32(rf, 1);
  put_i32(rf, 1);
  put_u8(rf, 1);
  EXPECT_TRUE(decode_error(rf, 4).data_present);
}

TEST(CqlProtocol, DecodesReadTimeoutAlreadyExistsFunctionFailureUnprepared) {
  std::string rt = error_body(kErrReadTimeout, "rt");
  put_u16(rt, kOne);
  put_i32(rt, 0);
  put_i32(rt, 1);
  put_u8(rt, 0);
  EXPECT_FALSE(decode_error(rt, 4).data_present);
  std::string ae = error_body(kErrAlreadyExists, "exists");
  put_string(ae, "ks");
  put_string(ae, "t");
  CqlError a = decode_error(ae, 4);
  EXPECT_EQ(a.describe(), "Already_exists: exists (ks.t)");
  EXPECT_FALSE(a.retryable());
  std::string ff = error_body(kErrFunctionFailure, "boom");
  put_string(ff, "ks");
  put_string(ff, "fn");
  put_u16(ff, 1);
  put_string(ff, "int");
  CqlError f = decode_error(ff, 4);
  EXPECT_EQ(f.function, "fn");
  EXPECT_EQ(f.arg_types, std::vector<std::string>{"int"});
  std::string up = error_body(kErrUnprepared, "unknown id");
  put_short_bytes(up, std::string("\xab\xcd", 2));
  CqlError u = decode_error(up, 4);
  EXPECT_EQ(u.code, kErrUnprepared);
  EXPECT_EQ(to_hex(u.unprepared_id), "abcd");
  EXPECT_FALSE(u.retryable());
}

TEST(CqlProtocol, RetryableClassification) {
  for (int32_t c : {kErrOverloaded, kErrIsBootstrapping, kErrServer, kErrWriteTimeout, kErrUnavailable}) {
    CqlError e;
    e.code = c;
    EXPECT_TRUE(e.retryable()) << error_code_name(c);
  }
  for (int32_t c : {kErrInvalid, kErrSyntax, kErrUnauthorized, kErrConfig, kErrProtocol, kErrBadCredentials}) {
    CqlError e;
    e.code = c;
    EXPECT_FALSE(e.retryable()) << error_code_name(c);
  }
  EXPECT_EQ(decode_error(error_body(kErrInvalid, "Invalid STRING constant"), 4).describe(),
            "Invalid: Invalid STRING constant");
}

TEST(CqlProtocol, DecodesRows) {
  std::string b;
  put_i32(b, kResultRows);
  put_i32(b, 0x0001);  // global table spec
  put_i32(b, 2);
  put_string(b, "system");
  put_string(b, "local");
  put_string(b, "data_center");
  put_u16(b, 0x0D);
  put_string(b, "tokens");
  put_u16(b, 0x22);
  put_u16(b, 0x0D);
  put_i32(b, 1);  // one row
  put_bytes(b, "dc1");
  std::string set;
  put_i32(set, 1);
  put_bytes(set, "-42");
  put_bytes(b, set);
  auto r = decode_result(b, 4);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->kind, kResultRows);
  EXPECT_EQ(r->rows.meta.columns[0].keyspace, "system");
  EXPECT_EQ(r->rows.text(0, "data_center"), "dc1");
  EXPECT_EQ(r->rows.text(0, "tokens"), "[-42]");
  EXPECT_EQ(r->rows.text(0, "missing"), "");
  b.resize(b.size() - 3);
  EXPECT_FALSE(decode_result(b, 4).ok());
}

std::string prepared_body(int version) {
  std::string b;
  put_i32(b, kResultPrepared);
  put_short_bytes(b, "ID01");
  if (version >= 5) put_short_bytes(b, "RM01");
  put_i32(b, 0x0001);
  put_i32(b, 2);
  put_i32(b, 1);  // pk count
  put_u16(b, 0);
  put_string(b, "ks");
  put_string(b, "t");
  put_string(b, "id");
  put_u16(b, 0x0C);
  put_string(b, "name");
  put_u16(b, 0x0D);
  put_i32(b, 0x0004);  // result metadata: no metadata
  put_i32(b, 0);
  return b;
}

TEST(CqlProtocol, DecodesPreparedV4AndV5) {
  for (int v : {4, 5}) {
    auto r = decode_result(prepared_body(v), v);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->prepared.id, "ID01");
    EXPECT_EQ(r->prepared.result_metadata_id, v >= 5 ? "RM01" : "");
    ASSERT_EQ(r->prepared.bind.size(), 2u);
    EXPECT_EQ(r->prepared.bind[0].type.kind, TypeKind::kUuid);
    EXPECT_EQ(r->prepared.bind[1].name, "name");
    EXPECT_EQ(r->prepared.pk_indexes, std::vector<uint16_t>{0});
  }
}

TEST(CqlProtocol, DecodesVoidKeyspaceSchemaChange) {
  std::string v;
  put_i32(v, kResultVoid);
  EXPECT_EQ(decode_result(v, 4)->kind, kResultVoid);
  std::string k;
  put_i32(k, kResultSetKeyspace);
  put_string(k, "ks");
  EXPECT_EQ(decode_result(k, 4)->keyspace, "ks");
  std::string s;
  put_i32(s, kResultSchemaChange);
  put_string(s, "CREATED");
  put_string(s, "TABLE");
  put_string(s, "ks");
  put_string(s, "t");
  auto r = decode_result(s, 4);
  EXPECT_EQ(r->schema_change.target, "TABLE");
  EXPECT_EQ(r->schema_change.name, "t");
  std::string bad;
  put_i32(bad, 99);
  EXPECT_FALSE(decode_result(bad, 4).ok());
}

TEST(CqlProtocol, RequestBodies) {
  std::string startup = startup_body(true);
  BodyReader st(startup);
  EXPECT_EQ(st.u16(), 3);
  EXPECT_EQ(st.string(), "CQL_VERSION");
  EXPECT_EQ(st.string(), "3.0.0");
  EXPECT_EQ(to_hex(auth_response_plain("u", "p")),
            "00000004"
            "00"
            "75"
            "00"
            "70");
  // v4: [long string][consistency][flags byte][page size]
  EXPECT_EQ(to_hex(query_body(4, "q", kOne, 100)),
            "00000001"
            "71"
            "0001"
            "04"
            "00000064");
  // v5: flags are an [int]
  EXPECT_EQ(to_hex(query_body(5, "q", kOne)),
            "00000001"
            "71"
            "0001"
            "00000000");
  EXPECT_EQ(to_hex(prepare_body(5, "q")),
            "00000001"
            "71"
            "00000000");
  EXPECT_EQ(to_hex(prepare_body(4, "q")),
            "00000001"
            "71");
  std::string p;
  put_query_params(p, 4, kLocalQuorum, kQValues | kQSkipMetadata, 1, std::string("\xff\xff\xff\xfe", 4));
  EXPECT_EQ(to_hex(p),
            "0006"
            "03"
            "0001"
            "fffffffe");
}

}  // namespace
}  // namespace airstream::cql
