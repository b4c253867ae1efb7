// kconsume's top level: parse the command line, set up stdout, rejects and stats, run
// the consumer (or --lag, -L, -Q) and turn the outcome into an exit status: 0 done, 1 some
// messages rejected, 65 too many rejected, 66 topic or partition missing, 69 cluster
// unreachable, 74 write error, standard output closed before the end (EPIPE) or the
// --acks channel broken, 75 final commit failed (also after a signal; a commit refused
// because the group moved on is not a failure), 78 bad configuration, 130/143 after
// SIGINT/SIGTERM (after flushing and committing).
#include "app.h"

#include <unistd.h>

#include <iostream>

#include "common/diag.h"
#include "common/json/ndjson_writer.h"
#include "common/reject.h"
#include "common/signals.h"
#include "common/stats.h"
#include "consumer.h"
#include "lag.h"
#include "metadata.h"
#include "options.h"

namespace airstream::kconsume {

int run(int argc, char** argv) {
  install_signal_handlers();
  Options o;
  if (auto code = parse_command_line(argc, argv, o)) return *code;
  if (wants_conf_dump(o.kafka)) {
    auto conf = make_kafka_conf(o.kafka, consumer_defaults(o.group, o.exit_at_end));
    if (!conf) {
      diag::error("%s", conf.status().message().c_str());
      return conf.status().exit_code();
    }
    std::cout << kafka_conf_dump(conf->get());
    return kExitOk;
  }

  Writer out(1);
  out.set_line_buffered(o.common.line_buffered);
  if (o.lag || o.list_metadata || o.query_offsets) {
    Status st = o.lag ? print_lag(o, out) : o.list_metadata ? list_metadata(o, out) : query_offsets(o, out);
    if (!st.ok()) {
      diag::error("%s", st.message().c_str());
      return st.exit_code();
    }
    return kExitOk;
  }

  Rejecter rej;
  if (Status st = rej.open("kconsume", o.common.reject); !st.ok()) {
    diag::error("%s", st.message().c_str());
    return st.exit_code();
  }
  Stats stats("kconsume");
  auto partitions = PartitionMetrics::create();
  ConsumeCounters counters;
  counters.records = &stats.counter("records_out", "Records written to stdout");
  counters.bytes = &stats.counter("bytes_out", "Bytes written to stdout");
  counters.messages = &stats.counter("messages_in", "Messages consumed (written or rejected)");
  counters.rejected = &stats.counter("records_rejected", "Messages rejected (not JSON, not UTF-8)");
  counters.partitions = partitions.get();
  partitions->export_to(stats, o.group_mode());
  if (o.group_mode()) stats.defer_ready();  // ready once partitions are assigned
  if (Status st = stats.start(o.common.stats_options); !st.ok()) {
    diag::error("%s", st.message().c_str());
    return st.exit_code();
  }

  AckReader acks;
  if (!o.acks.empty()) {
    if (Status st = acks.open(o.acks); !st.ok()) {
      diag::error("%s", st.message().c_str());
      return st.exit_code();
    }
  }
  Consumer consumer(o, out, rej, counters);
  if (!o.acks.empty()) consumer.set_ack_reader(&acks);
  Status st = consumer.open();
  if (st.ok()) st = consumer.run();
  Status closed = consumer.close();
  (void)stats.finish();
  (void)rej.flush();
  if (!st.ok()) {
    diag::error("%s", st.message().c_str());
    return st.exit_code();
  }
  if (!closed.ok()) {
    // The final commit failed (a refused one is not an error): 75 even after a signal,
    // as in cqlwrite and pgload, so that a supervisor knows to run it again.
    diag::error("%s", closed.message().c_str());
    return closed.exit_code();
  }
  if (int code = stop_exit_code()) return code;
  if (consumer.broken_pipe()) {
    // The reader of the pipe went away before the end asked for (-c, -e, --timeout):
    // a failure for `set -o pipefail`, not a quiet end.
    diag::error("standard output closed early (broken pipe): stopped; offsets are committed only for what %s",
                o.acks.empty() ? "was written" : "the last stage acknowledged");
    return kExitIoErr;
  }
  return rej.finish_code();
}

}  // namespace airstream::kconsume
