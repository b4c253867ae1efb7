// cqlwrite unit tests: host lists, password sources and their precedence
// (CQL_PASSWORD, --password-file, ~/.cassandra/cqlshrc), cqlshrc's [connection] and
// [ssl], --ttl durations, identifier handling.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "options.h"
#include "schema.h"

namespace airstream::cqlwrite {
namespace {

std::string temp_file(const std::string& content) {
  char path[] = "/tmp/cqlwrite_optXXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << content;
  return path;
}

TEST(CqlwriteOptions, HostList) {
  Options o;
  o.hosts = " 10.0.0.1:9043, [::1]:9044,db.example.com ";
  unsetenv("CQL_PASSWORD");
  auto s = session_options(o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->contact_points.size(), 3u);
  std::string host;
  uint16_t port;
  ASSERT_TRUE(cql::split_host_port(s->contact_points[1], 9042, host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 9044);
  ASSERT_TRUE(cql::split_host_port("db.example.com", 9042, host, port));
  EXPECT_EQ(port, 9042);
  EXPECT_FALSE(cql::split_host_port("h:99999", 9042, host, port));
  EXPECT_FALSE(cql::split_host_port("h:", 9042, host, port));
  o.hosts = "h:0";
  EXPECT_EQ(session_options(o).status().exit_code(), kExitUsage);
}

TEST(CqlwriteOptions, PasswordPrecedence) {
  std::string home = temp_file("");
  unlink(home.c_str());
  ASSERT_EQ(system(("mkdir -p " + home + "/.cassandra").c_str()), 0);
  std::ofstream(home + "/.cassandra/cqlshrc")
      << "[connection]\nhostname = x\n[authentication]\nusername = rcuser\npassword = rcpass\n";
  setenv("HOME", home.c_str(), 1);
  unsetenv("CQL_PASSWORD");
  Options o;
  auto s = session_options(o);  // user and password from cqlshrc
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->has_credentials);
  EXPECT_EQ(s->username, "rcuser");
  EXPECT_EQ(s->password, "rcpass");
  o.username = "bob";
  o.password_file = temp_file("filepass\nignored\n");
  s = session_options(o);
  EXPECT_EQ(s->username, "bob");
  EXPECT_EQ(s->password, "filepass");
  setenv("CQL_PASSWORD", "envpass", 1);
  s = session_options(o);
  EXPECT_EQ(s->password, "envpass");
  unsetenv("CQL_PASSWORD");
  o.password_file = "/nonexistent/pw";
  EXPECT_EQ(session_options(o).status().exit_code(), kExitConfig);
  setenv("HOME", "/nonexistent", 1);
  o.password_file.clear();
  EXPECT_EQ(session_options(o).status().exit_code(), kExitConfig);  // -u without a password
  o.username.clear();
  s = session_options(o);
  EXPECT_FALSE(s->has_credentials);
}

TEST(CqlwriteOptions, CqlshrcConnectionAndSsl) {
  std::string rc = temp_file(
      "[connection]\nhostname = db1.example.com\nport: 9142\nssl = true\n"
      "[ssl]\ncertfile = /etc/ca.pem\nvalidate = false\nusercert = /c.pem\nuserkey = /k.pem\n"
      "[ui]\ncolor = on\n[authentication]\nusername = u\npassword = p\n");
  unsetenv("CQL_PASSWORD");
  Options o;
  o.cqlshrc = rc;
  auto s = session_options(o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->contact_points, std::vector<std::string>{"db1.example.com:9142"});
  EXPECT_TRUE(s->tls.enabled);
  EXPECT_EQ(s->tls.cacert, "/etc/ca.pem");
  EXPECT_FALSE(s->tls.verify_hostname);
  EXPECT_EQ(s->tls.cert, "/c.pem");
  EXPECT_EQ(s->tls.key, "/k.pem");
  EXPECT_EQ(s->username, "u");
  EXPECT_EQ(s->password, "p");
  // Options win over the file; a host without a port takes the file's port.
  o.hosts = "h1,h2:9000";
  o.cacert = "/mine.pem";
  s = session_options(o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->contact_points, (std::vector<std::string>{"h1:9142", "h2:9000"}));
  EXPECT_EQ(s->tls.cacert, "/mine.pem");
  // An explicit file that is missing or bad is an error naming it.
  o.cqlshrc = "/nonexistent/cqlshrc";
  EXPECT_EQ(session_options(o).status().exit_code(), kExitConfig);
  o.cqlshrc = temp_file("[connection]\nport = http\n");
  auto bad = session_options(o);
  EXPECT_EQ(bad.status().exit_code(), kExitConfig);
  EXPECT_NE(bad.status().message().find(":2: port"), std::string::npos) << bad.status().message();
}

TEST(CqlwriteOptions, TtlDurations) {
  EXPECT_EQ(*parse_ttl("0"), 0);
  EXPECT_EQ(*parse_ttl("90"), 90);
  EXPECT_EQ(*parse_ttl("90s"), 90);
  EXPECT_EQ(*parse_ttl("1h"), 3600);
  EXPECT_EQ(*parse_ttl("7d"), 604800);
  EXPECT_EQ(*parse_ttl("630720000"), 630720000);
  EXPECT_EQ(parse_ttl("630720001").status().exit_code(), kExitUsage);
  EXPECT_EQ(parse_ttl("7301d").status().exit_code(), kExitUsage);
  EXPECT_EQ(parse_ttl("1500ms").status().exit_code(), kExitUsage);
  EXPECT_EQ(parse_ttl("-1").status().exit_code(), kExitUsage);
  EXPECT_EQ(parse_ttl("1y").status().exit_code(), kExitUsage);
}

TEST(CqlwriteSchema, Identifiers) {
  EXPECT_EQ(normalize_name("Spark_Streams"), "spark_streams");
  EXPECT_EQ(normalize_name("\"MixedCase\""), "MixedCase");
  EXPECT_EQ(quote_ident("first_name"), "first_name");
  EXPECT_EQ(quote_ident("MixedCase"), "\"MixedCase\"");
  EXPECT_EQ(quote_ident("we\"ird"), "\"we\"\"ird\"");
}

}  // namespace
}  // namespace airstream::cqlwrite
