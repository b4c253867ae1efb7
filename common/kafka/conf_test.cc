// kcat-style Kafka configuration: precedence, -F files, errors as exit 78.
#include "common/kafka/conf.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "common/test_util.h"

namespace airstream {
namespace {

std::string get(rd_kafka_conf_t* c, const char* name) {
  char buf[512];
  size_t n = sizeof buf;
  if (rd_kafka_conf_get(c, name, buf, &n) != RD_KAFKA_CONF_OK) return "?";
  return buf;
}

TEST(KafkaConf, BrokerPrecedence) {
  unsetenv("KAFKA_BROKERS");
  KafkaOptions o;
  EXPECT_EQ(effective_brokers(o), "localhost:9092");
  setenv("KAFKA_BROKERS", "envhost:1", 1);
  EXPECT_EQ(effective_brokers(o), "envhost:1");
  o.brokers = "cli:2";
  EXPECT_EQ(effective_brokers(o), "cli:2");
  unsetenv("KAFKA_BROKERS");
}

TEST(KafkaConf, FilesThenPropsOverDefaults) {
  testing::TempFile f("# comment\nclient.id = fromfile\nlinger.ms=7\n\n");
  KafkaOptions o;
  o.brokers = "b:1";
  o.files = {f.path()};
  o.props = {"linger.ms=9", "dump"};
  auto conf = make_kafka_conf(o, {{"client.id", "default"}, {"acks", "all"}});
  ASSERT_TRUE(conf.ok()) << conf.status().message();
  EXPECT_EQ(get(conf->get(), "client.id"), "fromfile");
  EXPECT_EQ(get(conf->get(), "linger.ms"), "9");
  EXPECT_EQ(get(conf->get(), "bootstrap.servers"), "b:1");
  EXPECT_TRUE(wants_conf_dump(o));
  EXPECT_FALSE(wants_property_list(o));
  EXPECT_NE(kafka_conf_dump(conf->get()).find("client.id = fromfile"), std::string::npos);
}

TEST(KafkaConf, BadPropertyIsConfigError) {
  KafkaOptions o;
  o.props = {"no.such.property=1"};
  auto conf = make_kafka_conf(o, {});
  ASSERT_FALSE(conf.ok());
  EXPECT_EQ(conf.status().exit_code(), kExitConfig);
  EXPECT_NE(conf.status().message().find("no.such.property"), std::string::npos);
  o.props = {"novalue"};
  EXPECT_EQ(make_kafka_conf(o, {}).status().exit_code(), kExitConfig);
  o.props = {};
  o.files = {"/nonexistent/kafka.conf"};
  EXPECT_EQ(make_kafka_conf(o, {}).status().exit_code(), kExitConfig);
}

TEST(KafkaConf, PropertyListIsNotEmpty) {
  EXPECT_NE(kafka_properties_text().find("bootstrap.servers"), std::string::npos);
}

}  // namespace
}  // namespace airstream
