// Tests of the consumers' Avro options: kcat's -s spellings over --value-format and
// --key-format, what a sink (values only, --from-kafka only) refuses, and the
// registry being required once Avro is asked for.
#include "common/avro/cli.h"

#include <gtest/gtest.h>

namespace airstream::avro {
namespace {

ConsumeFormatCli with(std::vector<std::string> serdes, std::string url = "http://127.0.0.1:8081") {
  ConsumeFormatCli o;
  o.serdes = std::move(serdes);
  o.registry.url = std::move(url);
  return o;
}

TEST(AvroCli, KcatSpellings) {
  auto both = resolve_consume_format(with({"avro"}), true);
  ASSERT_TRUE(both.ok()) << both.status().message();
  EXPECT_TRUE(both->avro_value && both->avro_key);
  auto key = resolve_consume_format(with({"key=avro"}), true);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->avro_key && !key->avro_value);
  EXPECT_EQ(key->registry.url, "http://127.0.0.1:8081");
  auto plain = resolve_consume_format(with({}), true);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->avro());
  EXPECT_EQ(resolve_consume_format(with({"value=protobuf"}), true).status().exit_code(), kExitUsage);
  EXPECT_EQ(resolve_consume_format(with({"value=avro"}, ""), true).status().exit_code(), kExitUsage);
}

TEST(AvroCli, SinksReadValuesFromKafka) {
  auto v = resolve_sink_format(with({"avro"}), true);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_TRUE(v->avro_value);
  EXPECT_FALSE(v->avro_key);
  EXPECT_EQ(resolve_sink_format(with({"key=avro"}), true).status().exit_code(), kExitUsage);
  EXPECT_EQ(resolve_sink_format(with({"value=avro"}), false).status().exit_code(), kExitUsage);
  ConsumeFormatCli long_form = with({});
  long_form.value_format = "avro";
  long_form.avro_unions = "tagged";
  auto l = resolve_sink_format(long_form, true);
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->avro_value);
  EXPECT_EQ(l->unions, UnionStyle::kTagged);
  EXPECT_EQ(resolve_sink_format(long_form, false).status().exit_code(), kExitUsage);
  EXPECT_TRUE(resolve_sink_format(with({}), false).ok());
}

}  // namespace
}  // namespace airstream::avro
