#include "http/request_head.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>

namespace oeuvre::http {
namespace {

namespace beast_http = boost::beast::http;

// The checks of `request_line` with `fields` ("Name: value\r\n" each), read by Beast's parser.
Status check_head(const std::string& request_line, const std::string& fields) {
  const std::string text = request_line + "\r\n" + fields + "\r\n";
  beast_http::request_parser<beast_http::empty_body> parser;
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(text), ec);
  EXPECT_FALSE(ec) << ec.message() << " in " << text;
  EXPECT_TRUE(parser.is_header_done());
  return check_request_head(parser);
}

Status check(const std::string& fields, const std::string& version = "HTTP/1.1") {
  return check_head("POST /x " + version, "Host: x\r\n" + fields);
}

TEST(RequestHeadTest, AcceptsPlainRequestsAndChunkedBodies) {
  EXPECT_TRUE(check("").ok());
  EXPECT_TRUE(check("Content-Length: 3\r\n").ok());
  EXPECT_TRUE(check("Transfer-Encoding: chunked\r\n").ok());
  EXPECT_TRUE(check("Transfer-Encoding: Chunked\r\n").ok());
  EXPECT_TRUE(check("Transfer-Encoding: ,chunked , \r\n").ok());  // empty list elements are allowed
  EXPECT_TRUE(check("Authorization: Bearer a\r\n").ok());
}

TEST(RequestHeadTest, ChunkedNotFinalIs400) {
  for (const char* coding : {"gzip", "identity", "deflate", "x", "chunked, gzip",
                             "chunked, chunked", "", "chunked;x=1"}) {
    SCOPED_TRACE(coding);
    auto status = check(std::string("Transfer-Encoding: ") + coding + "\r\n");
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code(), ErrorCode::kBadRequest);
  }
}

TEST(RequestHeadTest, AnUnimplementedCodingBeforeChunkedIs501) {
  for (const std::string fields : {"Transfer-Encoding: gzip, chunked\r\n",
                                   "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"}) {
    SCOPED_TRACE(fields);
    auto status = check(fields);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code(), ErrorCode::kNotImplemented);
    EXPECT_NE(status.error().message().find("gzip"), std::string::npos) << status.error().message();
  }
}

TEST(RequestHeadTest, TransferEncodingWithContentLengthOrInHttp10Is400) {
  // Beast refuses Content-Length before a chunked Transfer-Encoding itself; the other order is
  // ours.
  auto both = check("Transfer-Encoding: gzip\r\nContent-Length: 5\r\n");
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().code(), ErrorCode::kBadRequest);
  auto old = check("Transfer-Encoding: chunked\r\n", "HTTP/1.0");
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code(), ErrorCode::kBadRequest);
}

TEST(RequestHeadTest, RepeatedAuthorizationOrHostIs400) {
  auto auth = check("Authorization: Bearer a\r\nAuthorization: Bearer b\r\n");
  ASSERT_FALSE(auth.ok());
  EXPECT_EQ(auth.error().code(), ErrorCode::kBadRequest);
  EXPECT_NE(auth.error().message().find("Authorization"), std::string::npos)
      << auth.error().message();
  auto host = check("Host: y\r\n");
  ASSERT_FALSE(host.ok());
  EXPECT_EQ(host.error().code(), ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace oeuvre::http
