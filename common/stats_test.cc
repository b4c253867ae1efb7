// Stats: histogram quantiles, JSON line fields, Prometheus text and its atomic file.
#include "common/stats.h"

#include <gtest/gtest.h>

#include "common/json/json.h"
#include "common/test_util.h"

namespace airstream {
namespace {

TEST(Histogram, Quantiles) {
  Histogram h;
  EXPECT_EQ(h.quantile(0.5), 0);
  for (uint64_t i = 1; i <= 1000; i++) h.record(i);
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_NEAR(h.quantile(0.5), 500, 500 * 0.13);
  EXPECT_NEAR(h.quantile(0.99), 990, 990 * 0.13);
  h.record(uint64_t(1) << 60);  // clamps, does not crash
  EXPECT_GT(h.quantile(1.0), 1e9);
}

TEST(Stats, JsonAndPrometheus) {
  testing::TempFile f;
  Stats s("uxform");
  auto& in = s.counter("records_in", "Records read");
  auto& lat = s.histogram("latency", "Time per record");
  s.gauge("lag", [] { return 7.0; });
  StatsOptions o;
  o.metrics_file = f.path();
  ASSERT_TRUE(s.start(o).ok());
  in += 42;
  lat.record(1500);
  ASSERT_TRUE(s.finish().ok());

  JsonParser p;
  std::string line = s.json_line();
  auto doc = p.parse_copy(line);
  std::string_view tool;
  uint64_t n;
  double lag;
  ASSERT_EQ(doc["tool"].get_string().get(tool), simdjson::SUCCESS);
  ASSERT_EQ(doc["records_in"].get_uint64().get(n), simdjson::SUCCESS);
  ASSERT_EQ(doc["lag"].get_double().get(lag), simdjson::SUCCESS);
  EXPECT_EQ(tool, "uxform");
  EXPECT_EQ(n, 42u);
  EXPECT_EQ(lag, 7.0);

  std::string prom = f.read();
  EXPECT_NE(prom.find("# TYPE airstream_uxform_records_in_total counter\nairstream_uxform_records_in_total 42\n"),
            std::string::npos);
  EXPECT_NE(prom.find("airstream_uxform_lag 7"), std::string::npos);
  EXPECT_NE(prom.find("airstream_uxform_latency_seconds{quantile=\"0.99\"}"), std::string::npos);
}

TEST(Stats, LabelledGaugesCounterFunctionsAndSeconds) {
  Stats s("kconsume");
  s.counter_fn(
      "retries", [] { return uint64_t{3}; }, "Retries");
  s.gauge_family("partition_lag", [] {
    return std::vector<LabelledValue>{{prom_labels({{"topic", "a\"b\\c\nd"}, {"partition", "0"}}), 5}};
  });
  s.histogram("latency", "Latency, in seconds").record(2500000);
  std::string prom = s.prometheus();
  EXPECT_NE(prom.find("# TYPE airstream_kconsume_retries_total counter\nairstream_kconsume_retries_total 3\n"),
            std::string::npos);
  EXPECT_NE(prom.find("airstream_kconsume_partition_lag{topic=\"a\\\"b\\\\c\\nd\",partition=\"0\"} 5\n"),
            std::string::npos)
      << prom;
  EXPECT_NE(prom.find("airstream_kconsume_latency_seconds_sum 2.5\n"), std::string::npos) << prom;
  EXPECT_EQ(s.json_line().find("partition_lag"), std::string::npos);  // families are Prometheus-only
}

TEST(Stats, ReadyUnlessDeferred) {
  Stats a("t"), b("t");
  b.defer_ready();
  ASSERT_TRUE(a.start({}).ok());
  ASSERT_TRUE(b.start({}).ok());
  EXPECT_TRUE(a.ready());
  EXPECT_FALSE(b.ready());
  b.set_ready(true);
  EXPECT_TRUE(b.ready());
  (void)a.finish();
  EXPECT_FALSE(a.ready());  // draining at exit
}

TEST(Stats, MetricsFileInMissingDirIsError) {
  Stats s("t");
  StatsOptions o;
  o.metrics_file = "/nonexistent-dir/m.prom";
  EXPECT_EQ(s.start(o).exit_code(), kExitIoErr);
}

}  // namespace
}  // namespace airstream
