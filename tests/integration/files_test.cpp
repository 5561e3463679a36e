// Uploads over real HTTP: raw and multipart bodies, the stored metadata (size, SHA-256, name), the
// duplicate answer with the first file's id, empty and oversized uploads, listing with the status
// filter, deletion, and the stored bytes on disk.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "security/crypto.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;

constexpr std::string_view kCsv = "date,amount,description\n2026-01-02,12.34,Coffee\n2026-01-03,-5.00,Refund\n";

struct Fixture {
  TestServer server;
  Session alice;
  std::string project_id;
  std::string source_id;

  explicit Fixture(const std::function<void(Config&)>& tweak = {}) : server(tweak) {
    alice = server.register_user("alice@example.com");
    auto project = server.post("/api/v1/projects", json::object{{"name", "Files"}}, alice.access_token);
    EXPECT_EQ(project.status, 201u) << project.body;
    project_id = std::string(project.json().at("id").as_string());
    auto source = server.post("/api/v1/projects/" + project_id + "/data-sources",
                              json::object{{"name", "Bank"}, {"kind", "bank"}}, alice.access_token);
    EXPECT_EQ(source.status, 201u) << source.body;
    source_id = std::string(source.json().at("id").as_string());
  }

  std::string upload_url(const std::string& query = "") const {
    return "/api/v1/data-sources/" + source_id + "/files" + query;
  }
  HttpResult upload_raw(std::string_view bytes, const std::string& filename = "bank.csv") {
    return server.request("POST", upload_url("?filename=" + filename), std::string(bytes), alice.access_token, {},
                          "text/csv");
  }
};

std::string multipart_body(const std::string& boundary, const std::string& filename, std::string_view bytes) {
  std::ostringstream out;
  out << "--" << boundary << "\r\n"
      << "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
      << "ignored field\r\n"
      << "--" << boundary << "\r\n"
      << "Content-Disposition: form-data; name=\"file\"; filename=\"" << filename << "\"\r\n"
      << "Content-Type: text/csv\r\n\r\n"
      << bytes << "\r\n"
      << "--" << boundary << "--\r\n";
  return out.str();
}

std::string sha256_of(std::string_view bytes) {
  security::Sha256Stream sha;
  sha.update(bytes);
  return sha.finish_hex();
}

TEST(FilesTest, ARawUploadIsStoredWithItsSizeHashAndName) {
  Fixture f;
  auto res = f.upload_raw(kCsv);
  ASSERT_EQ(res.status, 201u) << res.body;
  const json::value body = res.json();
  const json::object& file = body.as_object();
  EXPECT_EQ(res.header("location"), "/api/v1/files/" + std::string(file.at("id").as_string()));
  EXPECT_EQ(file.at("filename").as_string(), "bank.csv");
  EXPECT_EQ(file.at("content_type").as_string(), "text/csv");
  EXPECT_EQ(file.at("size_bytes").to_number<std::int64_t>(), static_cast<std::int64_t>(kCsv.size()));
  EXPECT_EQ(file.at("sha256").as_string(), sha256_of(kCsv));
  EXPECT_EQ(file.at("project_id").as_string(), f.project_id);
  EXPECT_EQ(file.at("data_source_id").as_string(), f.source_id);
  EXPECT_EQ(file.at("uploaded_by").as_string(), f.alice.user_id);

  auto read = f.server.get("/api/v1/files/" + std::string(file.at("id").as_string()), f.alice.access_token);
  ASSERT_EQ(read.status, 200u) << read.body;
  EXPECT_EQ(read.json().at("sha256"), file.at("sha256"));

  // The bytes are on disk, under the server's folder, exactly as sent; nothing is left in incoming/.
  std::size_t stored = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(f.server.config().var_dir + "/uploads/blobs")) {
    if (!entry.is_regular_file()) continue;
    ++stored;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(content, kCsv);
  }
  EXPECT_EQ(stored, 1u);
  EXPECT_TRUE(std::filesystem::is_empty(f.server.config().var_dir + "/uploads/incoming"));
}

TEST(FilesTest, AMultipartUploadTakesTheFilePartAndItsName) {
  Fixture f;
  const std::string boundary = "----oeuvre-test-boundary-42";
  auto res = f.server.request("POST", f.upload_url(), multipart_body(boundary, "ledger.csv", kCsv),
                              f.alice.access_token, {}, "multipart/form-data; boundary=" + boundary);
  ASSERT_EQ(res.status, 201u) << res.body;
  EXPECT_EQ(res.json().at("filename").as_string(), "ledger.csv");
  EXPECT_EQ(res.json().at("size_bytes").to_number<std::int64_t>(), static_cast<std::int64_t>(kCsv.size()));
  EXPECT_EQ(res.json().at("sha256").as_string(), sha256_of(kCsv));
}

TEST(FilesTest, MalformedMultipartIsABadRequestAndStoresNothing) {
  Fixture f;
  auto no_file = f.server.request("POST", f.upload_url(),
                                  "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--b--\r\n",
                                  f.alice.access_token, {}, "multipart/form-data; boundary=b");
  EXPECT_EQ(no_file.status, 400u) << no_file.body;
  auto truncated = f.server.request("POST", f.upload_url(),
                                    "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.csv\"\r\n\r\nabc",
                                    f.alice.access_token, {}, "multipart/form-data; boundary=b");
  EXPECT_EQ(truncated.status, 400u) << truncated.body;
  auto no_boundary = f.server.request("POST", f.upload_url(), "abc", f.alice.access_token, {}, "multipart/form-data");
  EXPECT_EQ(no_boundary.status, 400u) << no_boundary.body;
  auto list = f.server.get("/api/v1/projects/" + f.project_id + "/files", f.alice.access_token);
  EXPECT_EQ(list.json().at("total").to_number<std::int64_t>(), 0) << list.body;
}

// A filename is a name like any other, on both backends: valid UTF-8 without control characters,
// else a 400 problem naming the field (PostgreSQL used to answer with a bind index, SQLite stored
// it).
TEST(FilesTest, AFilenameWithNulLineBreaksOrInvalidUtf8IsA400NamingTheField) {
  Fixture f;
  for (const std::string name :
       {"a%00b.csv", "a%0D%0ASet-Cookie:x.csv", "a%FFb.csv", "tab%09.csv"}) {
    auto res = f.upload_raw(kCsv, name);
    expect_field_error(res, 400u, "filename");
    EXPECT_EQ(res.body.find("bind"), std::string::npos) << res.body;
  }
  const std::string boundary = "----oeuvre-test-boundary-43";
  auto multipart =
      f.server.request("POST", f.upload_url(), multipart_body(boundary, "led\xffger.csv", kCsv),
                       f.alice.access_token, {}, "multipart/form-data; boundary=" + boundary);
  expect_field_error(multipart, 400u, "filename");
  auto list = f.server.get("/api/v1/projects/" + f.project_id + "/files", f.alice.access_token);
  EXPECT_EQ(list.json().at("total").to_number<std::int64_t>(), 0) << list.body;
  auto fine = f.upload_raw(kCsv, "K%C3%A4se%20M%C3%A4rz.csv");
  ASSERT_EQ(fine.status, 201u) << fine.body;
  EXPECT_EQ(fine.json().at("filename").as_string(), "K\xc3\xa4se M\xc3\xa4rz.csv");
}

TEST(FilesTest, TheSameBytesTwiceAnswer409WithTheFirstFilesId) {
  Fixture f;
  auto first = f.upload_raw(kCsv, "one.csv");
  ASSERT_EQ(first.status, 201u) << first.body;
  auto again = f.upload_raw(kCsv, "two.csv");
  EXPECT_EQ(again.status, 409u) << again.body;
  EXPECT_TRUE(again.header("content-type").starts_with("application/problem+json"));
  EXPECT_EQ(again.json().at("file_id"), first.json().at("id")) << again.body;
  // Different bytes are a new file; the same bytes in another data source are too.
  EXPECT_EQ(f.upload_raw(std::string(kCsv) + "2026-01-04,1.00,Tea\n").status, 201u);
  auto other = f.server.post("/api/v1/projects/" + f.project_id + "/data-sources",
                             json::object{{"name", "Ledger"}, {"kind", "ledger"}}, f.alice.access_token);
  ASSERT_EQ(other.status, 201u);
  auto elsewhere = f.server.request("POST", "/api/v1/data-sources/" + std::string(other.json().at("id").as_string()) +
                                                "/files?filename=one.csv",
                                    std::string(kCsv), f.alice.access_token, {}, "text/csv");
  EXPECT_EQ(elsewhere.status, 201u) << elsewhere.body;
  auto list = f.server.get("/api/v1/projects/" + f.project_id + "/files", f.alice.access_token);
  EXPECT_EQ(list.json().at("total").to_number<std::int64_t>(), 3) << list.body;
}

TEST(FilesTest, AnEmptyFileIs422AndATooLargeOneIs413) {
  Fixture f([](Config& c) { c.max_upload_bytes = 64; });
  auto empty = f.upload_raw("");
  EXPECT_EQ(empty.status, 422u) << empty.body;
  auto large = f.upload_raw(std::string(65, 'x'));
  EXPECT_EQ(large.status, 413u) << large.body;
  EXPECT_EQ(f.upload_raw(std::string(64, 'y')).status, 201u);
  auto list = f.server.get("/api/v1/projects/" + f.project_id + "/files", f.alice.access_token);
  EXPECT_EQ(list.json().at("total").to_number<std::int64_t>(), 1) << list.body;
  EXPECT_TRUE(std::filesystem::is_empty(f.server.config().var_dir + "/uploads/incoming"));
}

TEST(FilesTest, UploadsNeedATokenAndAnExistingDataSource) {
  Fixture f;
  auto anonymous = f.server.request("POST", f.upload_url("?filename=a.csv"), std::string(kCsv), "", {}, "text/csv");
  EXPECT_EQ(anonymous.status, 401u) << anonymous.body;
  auto unknown = f.server.request("POST", "/api/v1/data-sources/7d444840-9dc0-11d1-b245-5ffdce74fad2/files",
                                  std::string(kCsv), f.alice.access_token, {}, "text/csv");
  EXPECT_EQ(unknown.status, 404u) << unknown.body;
  auto not_uuid = f.server.request("POST", "/api/v1/data-sources/nope/files", std::string(kCsv),
                                   f.alice.access_token, {}, "text/csv");
  EXPECT_EQ(not_uuid.status, 400u) << not_uuid.body;
  // A deleted data source takes no more files.
  ASSERT_EQ(f.server.del("/api/v1/data-sources/" + f.source_id, f.alice.access_token).status, 204u);
  EXPECT_EQ(f.upload_raw(kCsv).status, 404u);
}

TEST(FilesTest, ListingFiltersByStatusAndPages) {
  Fixture f;
  for (int i = 0; i < 3; ++i) {
    auto up = f.upload_raw("date,amount,currency\n2026-01-0" + std::to_string(i + 1) + ",1.00,EUR\n",
                           "f" + std::to_string(i) + ".csv");
    ASSERT_EQ(up.status, 201u) << up.body;
    f.server.wait_for_file(std::string(up.json().at("id").as_string()), f.alice.access_token);
  }
  const std::string url = "/api/v1/projects/" + f.project_id + "/files";
  auto page = f.server.get(url + "?per_page=2", f.alice.access_token);
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(page.json().at("total").to_number<std::int64_t>(), 3);
  EXPECT_EQ(page.json().at("items").as_array().size(), 2u);
  auto second = f.server.get(url + "?per_page=2&page=2", f.alice.access_token);
  EXPECT_EQ(second.json().at("items").as_array().size(), 1u);
  auto failed = f.server.get(url + "?status=failed", f.alice.access_token);
  EXPECT_EQ(failed.json().at("total").to_number<std::int64_t>(), 0) << failed.body;
  auto parsed = f.server.get(url + "?status=parsed&per_page=1", f.alice.access_token);
  EXPECT_EQ(parsed.json().at("total").to_number<std::int64_t>(), 3) << parsed.body;
  auto bad = f.server.get(url + "?status=lost", f.alice.access_token);
  EXPECT_EQ(bad.status, 400u) << bad.body;
}

TEST(FilesTest, DeletingAFileRemovesItsRowAndItsBytesAndIsAudited) {
  Fixture f;
  auto up = f.upload_raw(kCsv);
  ASSERT_EQ(up.status, 201u);
  const std::string id(up.json().at("id").as_string());
  EXPECT_EQ(f.server.del("/api/v1/files/" + id, f.alice.access_token).status, 204u);
  EXPECT_EQ(f.server.get("/api/v1/files/" + id, f.alice.access_token).status, 404u);
  EXPECT_EQ(f.server.del("/api/v1/files/" + id, f.alice.access_token).status, 404u);
  std::size_t stored = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(f.server.config().var_dir + "/uploads/blobs")) {
    if (entry.is_regular_file()) ++stored;
  }
  EXPECT_EQ(stored, 0u);
  // Once deleted, the same bytes may be uploaded again.
  EXPECT_EQ(f.upload_raw(kCsv).status, 201u);
  auto trail = f.server.get("/api/v1/projects/" + f.project_id + "/audit?per_page=100", f.alice.access_token);
  std::set<std::string> actions;
  const json::value entries = trail.json();
  for (const auto& e : entries.at("items").as_array()) actions.insert(std::string(e.at("action").as_string()));
  EXPECT_TRUE(actions.contains("file.upload")) << trail.body;
  EXPECT_TRUE(actions.contains("file.delete")) << trail.body;
}

}  // namespace
}  // namespace oeuvre::testing
