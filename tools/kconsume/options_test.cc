// Tests of kconsume's -o parsing and option checks.
#include "options.h"

#include <gtest/gtest.h>

#include <vector>

namespace airstream::kconsume {
namespace {

TEST(OffsetSpec, AllForms) {
  auto b = parse_offset_spec("beginning");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->kind, OffsetSpec::kBeginning);
  EXPECT_EQ(parse_offset_spec("end")->kind, OffsetSpec::kEnd);
  EXPECT_EQ(parse_offset_spec("stored")->kind, OffsetSpec::kStored);
  auto abs = parse_offset_spec("1234");
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(abs->kind, OffsetSpec::kAbsolute);
  EXPECT_EQ(abs->value, 1234);
  auto tail = parse_offset_spec("-10");
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail->kind, OffsetSpec::kTail);
  EXPECT_EQ(tail->value, 10);
  auto ts = parse_offset_spec("@1732170000000");
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(ts->kind, OffsetSpec::kTimestamp);
  EXPECT_EQ(ts->value, 1732170000000);
}

TEST(OffsetSpec, KcatAndIsoTimes) {
  for (const char* t : {"s@1700000020000", "@1700000020000", "2023-11-14T22:13:40Z", "2023-11-14 23:13:40+01:00",
                        "s@2023-11-14T22:13:40.000Z"}) {
    auto r = parse_offset_spec(t);
    ASSERT_TRUE(r.ok()) << t << ": " << r.status().message();
    EXPECT_EQ(r->kind, OffsetSpec::kTimestamp) << t;
    EXPECT_EQ(r->value, 1700000020000) << t;
  }
  EXPECT_EQ(parse_offset_spec("2023-11-14")->value, 1699920000000);
  EXPECT_EQ(parse_offset_spec("e@1700000020000").status().exit_code(), kExitUsage);  // a stop, not a start
  EXPECT_EQ(parse_offset_spec("2023-13-45T00:00:00Z").status().exit_code(), kExitUsage);
  EXPECT_EQ(parse_offset_spec("s@soon").status().exit_code(), kExitUsage);
}

TEST(OffsetSpec, BadFormsAreUsageErrors) {
  for (const char* bad : {"", "start", "-0", "-", "@", "@x", "12x", "--5", "@-1"}) {
    auto r = parse_offset_spec(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().exit_code(), kExitUsage) << bad;
    }
  }
}

int parse(std::vector<std::string> args, Options& o) {
  std::vector<char*> argv;
  args.insert(args.begin(), "kconsume");
  for (auto& a : args) argv.push_back(a.data());
  auto code = parse_command_line(static_cast<int>(argv.size()), argv.data(), o);
  return code ? *code : -1;
}

TEST(Options, ParsesAndDerives) {
  Options o;
  ASSERT_EQ(parse({"-t", "a", "-t", "b", "-g", "grp", "-o", "-5", "-c", "10", "-e", "--timeout", "2s",
                   "--commit-interval", "250ms", "--envelope", "--binary", "base64"},
                  o),
            -1);
  EXPECT_EQ(o.topics.size(), 2u);
  EXPECT_TRUE(o.group_mode());
  ASSERT_TRUE(o.offset.has_value());
  EXPECT_EQ(o.offset->kind, OffsetSpec::kTail);
  EXPECT_EQ(o.count, 10);
  EXPECT_TRUE(o.exit_at_end);
  ASSERT_TRUE(o.idle_timeout.has_value());
  EXPECT_EQ(o.idle_timeout->count(), 2000);
  EXPECT_EQ(o.commit_interval.count(), 250);
  EXPECT_TRUE(o.format.envelope);
  EXPECT_EQ(o.format.binary, BinaryMode::kBase64);
}

TEST(Options, UsageErrors) {
  Options a, b, c, d, e, f;
  EXPECT_EQ(parse({}, a), kExitUsage);                              // no topic
  EXPECT_EQ(parse({"-t", "x", "-o", "stored"}, b), kExitUsage);     // stored needs a group
  EXPECT_EQ(parse({"-t", "x", "--lag"}, c), kExitUsage);            // --lag needs a group
  EXPECT_EQ(parse({"-t", "^x.*", "-p", "0"}, d), kExitUsage);       // -p with a regex
  EXPECT_EQ(parse({"-t", "x", "--binary", "hex"}, e), kExitUsage);  // not a mode
  EXPECT_EQ(parse({"-t", "x", "--commit-interval", "0s"}, f), kExitUsage);
}

TEST(Options, StartAndKcatStopTime) {
  Options o, twice, two_starts;
  ASSERT_EQ(parse({"-t", "x", "-o", "s@1700000010000", "-o", "e@2023-11-14T22:13:40Z"}, o), -1);
  ASSERT_TRUE(o.offset.has_value());
  EXPECT_EQ(o.offset->value, 1700000010000);
  ASSERT_TRUE(o.stop_at.has_value());
  EXPECT_EQ(*o.stop_at, 1700000020000);
  EXPECT_EQ(parse({"-t", "x", "-o", "e@1", "-o", "e@2"}, twice), kExitUsage);
  EXPECT_EQ(parse({"-t", "x", "-o", "5", "-o", "end"}, two_starts), kExitUsage);
}

TEST(OffsetQuery, KcatForm) {
  auto q = parse_offset_query("users_created:3:1700000020000");
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->topic, "users_created");
  EXPECT_EQ(q->partition, 3);
  EXPECT_EQ(q->timestamp, 1700000020000);
  EXPECT_EQ(parse_offset_query("t:0:2023-11-14T22:13:40Z")->timestamp, 1700000020000);
  EXPECT_EQ(parse_offset_query("t:0:-1")->timestamp, -1);
  EXPECT_EQ(parse_offset_query("t:0:-2")->timestamp, -2);
  for (const char* bad : {"t", "t:0", ":0:5", "t:x:5", "t:-1:5", "t:0:-3", "t:0:soon", "t:0:"})
    EXPECT_EQ(parse_offset_query(bad).status().exit_code(), kExitUsage) << bad;
}

TEST(Options, MetadataModes) {
  Options l, q, bad_q, both, fmt;
  ASSERT_EQ(parse({"-L"}, l), -1);  // no topic needed
  EXPECT_TRUE(l.list_metadata);
  ASSERT_EQ(parse({"-Q", "-J", "-t", "a:0:-1", "-t", "b:2:1700000000000"}, q), -1);
  ASSERT_EQ(q.queries.size(), 2u);
  EXPECT_EQ(q.queries[1].topic, "b");
  EXPECT_EQ(parse({"-Q"}, bad_q), kExitUsage);
  EXPECT_EQ(parse({"-L", "-Q", "-t", "a:0:1"}, both), kExitUsage);
  EXPECT_EQ(parse({"-L", "-f", "%s"}, fmt), kExitUsage);
}

TEST(Options, PartitionWithGroupIsAssignMode) {
  Options o;
  ASSERT_EQ(parse({"-t", "x", "-g", "g", "-p", "1", "-o", "stored"}, o), -1);
  EXPECT_FALSE(o.group_mode());
  EXPECT_EQ(o.partitions, std::vector<int32_t>{1});
}

}  // namespace
}  // namespace airstream::kconsume
