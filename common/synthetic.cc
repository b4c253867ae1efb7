// Synthetic randomuser.me users. Each user is a pure function of (seed, index): a
// splitmix64 stream seeded from both picks a nationality and then names, places and
// numbers from small per-nationality tables modelled on real API output (string
// postcodes for CA/GB/NL/NO, null id.value for BR/CA/DE/IR/NZ/TR, Persian script with
// U+200C for IR, diacritics, U+2019, trailing spaces in some BR street names). Built
// with plain appends into the caller's buffer: no allocation per user.
#include "common/synthetic.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace airstream {
namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>((next() >> 32) * n >> 32); }
  template <size_t N>
  std::string_view pick(const std::string_view (&a)[N]) {
    return a[below(N)];
  }
};

enum PostcodeKind { kNumeric, kCanada, kBritain, kNorway, kDutch };

struct Nat {
  const char* code;
  const char* country;
  PostcodeKind postcode;
  int postcode_digits;
  const char* id_name;  // nullptr: {"name":"","value":null}
  std::string_view first_f[4], first_m[4], last[4], city[3], state[3], street[4];
  const char* phone_fmt;  // '#' replaced by digits
};

const Nat kNats[] = {
    {"US",
     "United States",
     kNumeric,
     5,
     "SSN",
     {"Jennie", "Sofia", "Zoe", "Kathy"},
     {"Todd", "Brandon", "Wyatt", "Dwayne"},
     {"Nichols", "White", "O’Connor", "Hughes"},
     {"Concord", "Billings", "Des Moines"},
     {"Michigan", "Ohio", "Texas"},
     {"Mcclellan Rd", "Valwood Pkwy", "Oak Ridge Ln", "Samaritan Dr"},
     "(###) ###-####"},
    {"BR",
     "Brazil",
     kNumeric,
     5,
     nullptr,
     {"Amanda", "Luíza", "Débora", "Jussara"},
     {"Amadis", "Caetano", "Jonas", "Élio"},
     {"Pereira", "Gonçalves", "Araújo", "da Mota"},
     {"São José dos Pinhais", "Maringá", "Itabuna"},
     {"Paraná", "Bahia", "Piauí"},
     {"Rua Vinte E Quatro de Outubro", "Rua São Francisco ", "Rua Treze de Maio ", "Rua Dois"},
     "(##) ####-####"},
    {"CA",
     "Canada",
     kCanada,
     0,
     nullptr,
     {"Chloe", "Maëlle", "Olivia", "Léa"},
     {"Bently", "Noah", "Félix", "Liam"},
     {"Roy", "Gagné", "Martin", "Côté"},
     {"Jasper", "Tecumseh", "Trois-Rivières"},
     {"Alberta", "Québec", "Ontario"},
     {"Tecumseh Rd", "Parliament St", "Dufferin St", "Pine Rd"},
     "###-###-####"},
    {"GB",
     "United Kingdom",
     kBritain,
     0,
     "NINO",
     {"Ella", "Freya", "Isla", "Ruby"},
     {"Ronald", "Jack", "Harvey", "Owen"},
     {"Smith", "Walker", "O’Neill", "Evans"},
     {"Edinburgh", "Salford", "Lancaster"},
     {"Lothian", "Devon", "Kent"},
     {"Fairview Road", "Church Lane", "Mill Road", "The Drive"},
     "0##### ### ####"},
    {"NO",
     "Norway",
     kNorway,
     4,
     "FN",
     {"Sana", "Åse", "Ingrid", "Sigrid"},
     {"Håkon", "Ørjan", "Mats", "Sindre"},
     {"Solberg", "Haugen", "Bjørnstad", "Kristiansen"},
     {"Husøy", "Bærum", "Tromsø"},
     {"Troms", "Vestfold", "Akershus"},
     {"Bisp Nikolas' gate", "Øvre Slottsgate", "Kirkeveien", "Tors vei"},
     "########"},
    {"IR",
     "Iran",
     kNumeric,
     5,
     nullptr,
     {"تارا", "نازنین", "پریا", "یسنا"},
     {"امیرعلی", "محمدمهدی", "پارسا", "آرمین"},
     {"کریمی", "رضایی", "سلطانی نژاد", "موسوی"},
     {"بجنورد", "خرم‌آباد", "اسلام‌شهر"},
     {"خراسان شمالی", "لرستان", "تهران"},
     {"راستوان", "شهید آیت الله اشرفی", "میدان انقلاب", "کارگر"},
     "0##-########"},
    {"DE",
     "Germany",
     kNumeric,
     5,
     nullptr,
     {"Frieda", "Jülide", "Marlene", "Brigitte"},
     {"Hansjürgen", "Lutz", "Jörg", "Björn"},
     {"Weiß", "Müller", "Schröder", "Krämer"},
     {"Thannhausen", "Lüneburg", "Görlitz"},
     {"Bayern", "Sachsen", "Thüringen"},
     {"Waldstraße", "Schulstraße", "Mühlweg", "Gartenstraße"},
     "0###-#######"},
    {"FR",
     "France",
     kNumeric,
     5,
     "INSEE",
     {"Louane", "Chloé", "Maëlys", "Zoé"},
     {"Jonas", "Noé", "Raphaël", "Mathéo"},
     {"Vidal", "Lefèvre", "Girard", "Mercier"},
     {"Avignon", "Toulon", "Besançon"},
     {"Vendée", "Hérault", "Ardèche"},
     {"Place du 8 Février 1962", "Avenue Goerges Clémenceau", "Rue de l’Église", "Quai Chauveau"},
     "0#-##-##-##-##"},
    {"NL",
     "Netherlands",
     kDutch,
     0,
     "BSN",
     {"Leah", "Fenna", "Sanne", "Iris"},
     {"Sem", "Daan", "Joël", "Ruud"},
     {"de Vries", "van Dijk", "Bakker", "Visser"},
     {"Franeker", "Zwolle", "Den Haag"},
     {"Friesland", "Overijssel", "Zuid-Holland"},
     {"Kloppertsweg", "Dorpsstraat", "Kerkpad", "Molenweg"},
     "(0###) ######"},
    {"TR",
     "Turkey",
     kNumeric,
     5,
     nullptr,
     {"Ayşe", "Gülşen", "Şebnem", "Özge"},
     {"Ali", "Çağan", "Doğan", "Ümit"},
     {"Yıldırım", "Öztürk", "Akgül", "Çelik"},
     {"Muğla", "Eskişehir", "Kırşehir"},
     {"Muğla", "Eskişehir", "Kırşehir"},
     {"Maçka Cd", "Atatürk Sk", "Necatibey Cd", "Bağdat Cd"},
     "(###)-###-####"},
};
constexpr uint32_t kNatCount = sizeof(kNats) / sizeof(kNats[0]);

const std::string_view kTitlesF[] = {"Miss", "Mrs", "Ms", "Madame"};
const std::string_view kTitlesM[] = {"Mr", "Mr", "Monsieur", "Mr"};
const std::string_view kAdj[] = {"angry", "yellow", "happy", "lazy", "silver", "brave", "tiny", "purple"};
const std::string_view kAnimal[] = {"ostrich", "duck", "peacock", "koala", "tiger", "zebra", "rabbit", "frog"};
const std::string_view kPasswords[] = {"r2d2", "0101", "addison", "letmein", "dragon", "qwerty", "matrix", "hunter"};
const std::string_view kTz[][2] = {{"+1:00", "Brussels, Copenhagen, Madrid, Paris"},
                                   {"-3:00", "Brazil, Buenos Aires, Georgetown"},
                                   {"+3:30", "Tehran"},
                                   {"+11:00", "Magadan, Solomon Islands, New Caledonia"},
                                   {"-5:00", "Eastern Time (US & Canada), Bogota, Lima"},
                                   {"0:00", "Western Europe Time, London, Lisbon, Casablanca"}};

const char kHexDigits[] = "0123456789abcdef";
const char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

void put(std::string& o, std::string_view s) {
  o.append(s.data(), s.size());
}

// Appends a JSON string; the tables hold no characters that need escaping.
void put_str(std::string& o, std::string_view s) {
  o.push_back('"');
  put(o, s);
  o.push_back('"');
}

void put_uint(std::string& o, uint64_t v) {
  char b[24];
  int n = snprintf(b, sizeof b, "%llu", static_cast<unsigned long long>(v));
  o.append(b, static_cast<size_t>(n));
}

void put_hex(std::string& o, Rng& r, int n) {
  for (int i = 0; i < n; i++) o.push_back(kHexDigits[r.below(16)]);
}

void put_lower(std::string& o, std::string_view s) {
  for (char c : s) o.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
}

// "1966-06-26T11:50:25.558Z" for a date `years_ago` years (plus noise) before 2026.
void put_date(std::string& o, Rng& r, int year) {
  char b[32];
  int n = snprintf(b, sizeof b, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", year, r.below(12) + 1, r.below(28) + 1,
                   r.below(24), r.below(60), r.below(60), r.below(1000));
  o.append(b, static_cast<size_t>(n));
}

void put_pattern(std::string& o, Rng& r, const char* fmt) {
  for (const char* p = fmt; *p; p++) o.push_back(*p == '#' ? static_cast<char>('0' + r.below(10)) : *p);
}

void put_coord(std::string& o, Rng& r, int range) {
  char b[32];
  int whole = static_cast<int>(r.below(static_cast<uint32_t>(2 * range))) - range;
  int n = snprintf(b, sizeof b, "\"%d.%04u\"", whole, r.below(10000));
  o.append(b, static_cast<size_t>(n));
}

}  // namespace

SyntheticUsers::SyntheticUsers(uint64_t seed) : seed_(seed) {}

void SyntheticUsers::append_user(std::string& o, uint64_t index) const {
  Rng r{seed_ * 0x2545F4914F6CDD1Dull ^ (index + 1) * 0x9E3779B97F4A7C15ull};
  r.next();
  const Nat& nat = kNats[r.below(kNatCount)];
  bool female = r.below(2) == 0;
  std::string_view first = female ? nat.first_f[r.below(4)] : nat.first_m[r.below(4)];
  std::string_view last = nat.last[r.below(4)];

  o += "{\"gender\":";
  put_str(o, female ? "female" : "male");
  o += ",\"name\":{\"title\":";
  put_str(o, female ? r.pick(kTitlesF) : r.pick(kTitlesM));
  o += ",\"first\":";
  put_str(o, first);
  o += ",\"last\":";
  put_str(o, last);
  o += "},\"location\":{\"street\":{\"number\":";
  put_uint(o, 1 + r.below(9999));
  o += ",\"name\":";
  put_str(o, nat.street[r.below(4)]);
  uint32_t place = r.below(3);
  o += "},\"city\":";
  put_str(o, nat.city[place]);
  o += ",\"state\":";
  put_str(o, nat.state[place]);
  o += ",\"country\":";
  put_str(o, nat.country);
  o += ",\"postcode\":";
  switch (nat.postcode) {
    case kNumeric: {
      uint32_t lo = 1, hi = 10;
      for (int i = 1; i < nat.postcode_digits; i++) lo *= 10;
      for (int i = 1; i < nat.postcode_digits; i++) hi *= 10;
      put_uint(o, lo + r.below(hi - lo));
      break;
    }
    case kCanada: {
      char b[8] = {static_cast<char>('A' + r.below(26)), static_cast<char>('0' + r.below(10)),
                   static_cast<char>('A' + r.below(26)), ' ',
                   static_cast<char>('0' + r.below(10)), static_cast<char>('A' + r.below(26)),
                   static_cast<char>('0' + r.below(10)), 0};
      put_str(o, b);
      break;
    }
    case kBritain: {
      char b[9] = {static_cast<char>('A' + r.below(26)), static_cast<char>('0' + r.below(10)),
                   static_cast<char>('A' + r.below(26)), ' ',
                   static_cast<char>('0' + r.below(10)), static_cast<char>('A' + r.below(26)),
                   static_cast<char>('A' + r.below(26)), 0};
      put_str(o, b);
      break;
    }
    case kNorway: {
      char b[5] = {static_cast<char>('0' + r.below(10)), static_cast<char>('0' + r.below(10)),
                   static_cast<char>('0' + r.below(10)), static_cast<char>('0' + r.below(10)), 0};
      put_str(o, b);
      break;
    }
    case kDutch: {
      // The API sends NL postcodes as numbers most of the time, sometimes as "1234 AB".
      if (r.below(4) == 0) {
        char b[8] = {static_cast<char>('1' + r.below(9)),
                     static_cast<char>('0' + r.below(10)),
                     static_cast<char>('0' + r.below(10)),
                     static_cast<char>('0' + r.below(10)),
                     ' ',
                     static_cast<char>('A' + r.below(26)),
                     static_cast<char>('A' + r.below(26)),
                     0};
        put_str(o, b);
      } else {
        put_uint(o, 1000 + r.below(9000));
      }
      break;
    }
  }
  o += ",\"coordinates\":{\"latitude\":";
  put_coord(o, r, 90);
  o += ",\"longitude\":";
  put_coord(o, r, 180);
  const auto& tz = kTz[r.below(sizeof(kTz) / sizeof(kTz[0]))];
  o += "},\"timezone\":{\"offset\":";
  put_str(o, tz[0]);
  o += ",\"description\":";
  put_str(o, tz[1]);
  o += "}},\"email\":\"";
  if (first[0] & 0x80) {
    o += "user";  // the API transliterates; keep emails ASCII
    put_uint(o, r.below(100000));
  } else {
    put_lower(o, first);
    o.push_back('.');
    for (char c : last) {
      if (c == ' ' || c == '\'') continue;
      if (c & 0x80) break;
      o.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    }
  }
  o += "@example.com\",\"login\":{\"uuid\":\"";
  put_hex(o, r, 8);
  o.push_back('-');
  put_hex(o, r, 4);
  o += "-4";
  put_hex(o, r, 3);
  o.push_back('-');
  o.push_back("89ab"[r.below(4)]);
  put_hex(o, r, 3);
  o.push_back('-');
  put_hex(o, r, 12);
  o += "\",\"username\":\"";
  put(o, r.pick(kAdj));
  put(o, r.pick(kAnimal));
  put_uint(o, 100 + r.below(900));
  o += "\",\"password\":";
  put_str(o, r.pick(kPasswords));
  o += ",\"salt\":\"";
  for (int i = 0; i < 8; i++) o.push_back(kAlnum[r.below(62)]);
  o += "\",\"md5\":\"";
  put_hex(o, r, 32);
  o += "\",\"sha1\":\"";
  put_hex(o, r, 40);
  o += "\",\"sha256\":\"";
  put_hex(o, r, 64);
  uint32_t age = 18 + r.below(60);
  o += "\"},\"dob\":{\"date\":\"";
  put_date(o, r, 2026 - static_cast<int>(age));
  o += "\",\"age\":";
  put_uint(o, age);
  uint32_t reg_age = r.below(20);
  o += "},\"registered\":{\"date\":\"";
  put_date(o, r, 2026 - static_cast<int>(reg_age));
  o += "\",\"age\":";
  put_uint(o, reg_age);
  o += "},\"phone\":\"";
  put_pattern(o, r, nat.phone_fmt);
  o += "\",\"cell\":\"";
  put_pattern(o, r, nat.phone_fmt);
  o += "\",\"id\":{\"name\":";
  if (nat.id_name == nullptr) {
    o += "\"\",\"value\":null}";
  } else {
    put_str(o, nat.id_name);
    o += ",\"value\":\"";
    put_pattern(o, r, "#########");
    o += "\"}";
  }
  uint32_t pic = r.below(100);
  const char* kind = female ? "women" : "men";
  char b[400];
  int n = snprintf(b, sizeof b,
                   ",\"picture\":{\"large\":\"https://randomuser.me/api/portraits/%s/%u.jpg\",\"medium\":\"https://"
                   "randomuser.me/api/portraits/med/%s/%u.jpg\",\"thumbnail\":\"https://randomuser.me/api/portraits/"
                   "thumb/%s/%u.jpg\"}",
                   kind, pic, kind, pic, kind, pic);
  o.append(b, std::min(static_cast<size_t>(n), sizeof b - 1));
  o += ",\"nat\":";
  put_str(o, nat.code);
  o += "}";
}

}  // namespace airstream
