// What the S3 client reads from answers and settings: XML element text with entities, the endpoint
// forms, and the error an answer stands for.
#include <gtest/gtest.h>

#include "aws/http_client.h"
#include "aws/s3_client.h"
#include "aws/xml_text.h"

namespace oeuvre::aws {
namespace {

TEST(XmlTextTest, ElementsAreFoundByExactNameAndEntitiesDecoded) {
  const std::string xml =
      R"(<?xml version="1.0"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><KeyCount>2</KeyCount>)"
      R"(<Contents><Key>backups/a&amp;b &lt;1&gt; &#233;&#x20AC;.json</Key><Size>12</Size></Contents>)"
      R"(<Contents><Key>backups/b</Key><Size>7</Size><Owner/></Contents><IsTruncated>false</IsTruncated></ListBucketResult>)";
  const auto contents = xml_elements(xml, "Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(xml_text(contents[0], "Key"), "backups/a&b <1> é€.json");
  EXPECT_EQ(xml_text(contents[1], "Size"), "7");
  EXPECT_EQ(xml_text(xml, "KeyCount"), "2");
  EXPECT_EQ(xml_text(xml, "IsTruncated"), "false");
  EXPECT_EQ(xml_text(xml, "Missing"), std::nullopt);
  EXPECT_EQ(xml_elements(contents[1], "Owner").size(), 1u);
}

TEST(XmlTextTest, MalformedInputEndsTheSearchWithoutReadingPastIt) {
  EXPECT_TRUE(xml_elements("<Key>unterminated", "Key").empty());
  EXPECT_TRUE(xml_elements("<Key", "Key").empty());
  EXPECT_EQ(xml_decode("&bogus; &#0; &#xD800; &#99999999; &amp"), "&bogus; &#0; &#xD800; &#99999999; &amp");
}

TEST(EndpointTest, DefaultPortsAreDroppedAndPathsKept) {
  auto e = parse_endpoint("http://127.0.0.1:4568/");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->scheme, "http");
  EXPECT_EQ(e->authority, "127.0.0.1:4568");
  EXPECT_EQ(e->base_path, "");
  e = parse_endpoint("https://minio.example.com:443/s3");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->authority, "minio.example.com");
  EXPECT_EQ(e->base_path, "/s3");
  for (const char* bad : {"ftp://x", "http://", "https://user@host", "127.0.0.1:9000", "http://h?x=1"}) {
    EXPECT_FALSE(parse_endpoint(bad).ok()) << bad;
  }
}

TEST(S3ClientTest, BadSettingsAreRefusedNamingTheVariable) {
  S3Options options;
  options.bucket = "Bad_Bucket";
  auto client = S3Client::create(options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().field_errors().at(0).field, "BACKUP_S3_BUCKET");
  options.bucket = "good-bucket";
  options.endpoint_url = "localhost:9000";
  client = S3Client::create(options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().field_errors().at(0).field, "AWS_ENDPOINT_URL");
  options.endpoint_url = "";
  options.region = "us east";
  EXPECT_FALSE(S3Client::create(options).ok());
  options.region = "eu-west-3";
  client = S3Client::create(options);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->describe(), "s3://good-bucket");
}

TEST(S3ClientTest, AnswersMapToErrorsNamingS3sCode) {
  HttpResponse response;
  response.status = 403;
  response.body = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
  Error e = s3_error("PUT k", response);
  EXPECT_EQ(e.code(), ErrorCode::kForbidden);
  EXPECT_EQ(e.message(), "PUT k: HTTP 403 AccessDenied (Access Denied)");
  response.status = 503;
  EXPECT_EQ(s3_error("PUT k", response).code(), ErrorCode::kUnavailable);
  response.status = 404;
  EXPECT_EQ(s3_error("GET k", response).code(), ErrorCode::kNotFound);
  response.status = 400;
  EXPECT_EQ(s3_error("GET k", response).code(), ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace oeuvre::aws
