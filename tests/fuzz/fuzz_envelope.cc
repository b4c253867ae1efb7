// libFuzzer target: the envelope on both sides of Kafka. kproduce's MessageBuilder
// reads each line as a kconsume envelope (--envelope) and as a plain record with a
// key path; kconsume's Formatter writes the line as a message value (value only and
// envelope, with a key and a header taken from the input), and the envelope it
// writes must read back in kproduce with the same value.
#include <cstdlib>

#include "format.h"
#include "fuzz_util.h"
#include "message.h"

using namespace airstream;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static kproduce::MessageBuilder* env = nullptr;
  static kproduce::MessageBuilder* plain = nullptr;
  static kconsume::Formatter* value_only = nullptr;
  static kconsume::Formatter* envelope = nullptr;
  if (!env) {
    kproduce::BuildOptions eo;
    eo.envelope = true;
    env = new kproduce::MessageBuilder(eo);
    kproduce::BuildOptions po;
    po.key_path = "login.uuid";
    plain = new kproduce::MessageBuilder(po);
    value_only = new kconsume::Formatter({false, kconsume::BinaryMode::kReject});
    envelope = new kconsume::Formatter({true, kconsume::BinaryMode::kBase64});
  }
  for (std::string_view line : fuzz::lines(fuzz::as_view(data, size))) {
    fuzz::Padded rec(line);
    kproduce::OutMessage m;
    (void)env->build(rec.view(), &m);
    (void)plain->build(rec.view(), &m);

    kconsume::MessageView v;
    v.topic = "t";
    v.value = line.data();
    v.value_len = line.size();
    v.key = line.data();
    v.key_len = line.size() / 2;
    std::string out, error;
    bool valid = value_only->append(v, out, error);
    out.clear();
    if (!envelope->append(v, out, error)) continue;
    // The envelope is one line that kproduce --envelope reads back, value unchanged.
    if (out.empty() || out.back() != '\n' || out.find('\n') != out.size() - 1) abort();
    fuzz::Padded back(std::string_view(out.data(), out.size() - 1));
    kproduce::OutMessage m2;
    if (!env->build(back.view(), &m2).empty()) abort();
    std::string_view trimmed = line;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) trimmed.remove_prefix(1);
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.remove_suffix(1);
    if (valid && line.find('\r') == std::string_view::npos && m2.value != trimmed) abort();
  }
  return 0;
}
