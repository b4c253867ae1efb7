// Synthetic users: valid JSON of the randomuser 1.4 shape, deterministic per
// (seed, index), with the variety the real API shows.
#include "common/synthetic.h"

#include <gtest/gtest.h>

#include <set>

#include "common/json/json.h"

namespace airstream {
namespace {

TEST(SyntheticUsers, DeterministicAndVaried) {
  SyntheticUsers a(42), b(42), c(43);
  std::string x, y, z;
  a.append_user(x, 7);
  b.append_user(y, 7);
  c.append_user(z, 7);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
}

TEST(SyntheticUsers, ShapeAndVariety) {
  SyntheticUsers gen(1);
  JsonParser p;
  std::set<std::string> nats, uuids;
  int string_postcodes = 0, numeric_postcodes = 0, null_ids = 0, non_ascii = 0, zwnj = 0;
  for (uint64_t i = 0; i < 2000; i++) {
    std::string u;
    gen.append_user(u, i);
    ASSERT_TRUE(is_valid_utf8(u));
    std::string padded = u;
    padded.resize(u.size() + kJsonPadding);
    ASSERT_EQ(p.validate_padded(std::string_view(padded.data(), u.size())), simdjson::SUCCESS) << u;
    if (u.find("\u200c") != std::string::npos) zwnj++;
    for (unsigned char ch : u)
      if (ch >= 0x80) {
        non_ascii++;
        break;
      }
    auto doc = p.parse_copy(u);
    std::string_view s;
    ASSERT_EQ(doc["gender"].get_string().get(s), simdjson::SUCCESS);
    simdjson::ondemand::object loc;
    ASSERT_EQ(doc["location"].get_object().get(loc), simdjson::SUCCESS);
    simdjson::ondemand::value pc;
    ASSERT_EQ(loc["postcode"].get(pc), simdjson::SUCCESS);
    simdjson::ondemand::json_type t{};
    ASSERT_EQ(pc.type().get(t), simdjson::SUCCESS);
    (t == simdjson::ondemand::json_type::string ? string_postcodes : numeric_postcodes)++;
    ASSERT_EQ(doc["email"].get_string().get(s), simdjson::SUCCESS);
    ASSERT_EQ(doc["login"]["uuid"].get_string().get(s), simdjson::SUCCESS);
    EXPECT_EQ(s.size(), 36u);
    uuids.emplace(s);
    simdjson::ondemand::value idv;
    ASSERT_EQ(doc["id"]["value"].get(idv), simdjson::SUCCESS);
    bool is_null = false;
    ASSERT_EQ(idv.is_null().get(is_null), simdjson::SUCCESS);
    if (is_null) null_ids++;
    ASSERT_EQ(doc["nat"].get_string().get(s), simdjson::SUCCESS);
    nats.emplace(s);
  }
  EXPECT_GE(nats.size(), 8u);
  EXPECT_EQ(uuids.size(), 2000u);
  EXPECT_GT(string_postcodes, 100);
  EXPECT_GT(numeric_postcodes, 100);
  EXPECT_GT(null_ids, 100);
  EXPECT_GT(non_ascii, 100);
  EXPECT_GT(zwnj, 0);
}

}  // namespace
}  // namespace airstream
