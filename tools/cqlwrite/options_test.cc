// cqlwrite unit tests: host lists, password sources and their precedence
// (CQL_PASSWORD, --password-file, ~/.cassandra/cqlshrc), identifier handling.
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

TEST(CqlwriteSchema, Identifiers) {
  EXPECT_EQ(normalize_name("Spark_Streams"), "spark_streams");
  EXPECT_EQ(normalize_name("\"MixedCase\""), "MixedCase");
  EXPECT_EQ(quote_ident("first_name"), "first_name");
  EXPECT_EQ(quote_ident("MixedCase"), "\"MixedCase\"");
  EXPECT_EQ(quote_ident("we\"ird"), "\"we\"\"ird\"");
}

}  // namespace
}  // namespace airstream::cqlwrite
