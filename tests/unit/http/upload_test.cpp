#include "http/upload.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "core/uuid.h"
#include "security/crypto.h"

namespace oeuvre::http {
namespace {

std::string temp_dir() {
  return (std::filesystem::temp_directory_path() / ("oeuvre-upload-test-" + Uuid::generate_v4().to_string())).string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Feeds `body` in pieces of `chunk` bytes.
Result<std::shared_ptr<UploadedFile>> receive(const std::string& dir, std::string_view type, std::string_view body,
                                              std::size_t chunk, std::uint64_t max = 1 << 20) {
  ASSIGN_OR_RETURN(auto receiver, UploadReceiver::open(dir, type, max));
  for (std::size_t i = 0; i < body.size(); i += chunk) RETURN_IF_ERROR(receiver->write(body.substr(i, chunk)));
  return receiver->finish();
}

const std::string kCsv = "date,amount\r\n2024-01-02,12.50\r\n--not-a-boundary,\r\n";

std::string multipart_body() {
  return "preamble\r\n"
         "--XyZ\r\n"
         "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
         "ignored field\r\n"
         "--XyZ\r\n"
         "Content-Disposition: form-data; name=\"file\"; filename=\"../../bank.csv\"\r\n"
         "Content-Type: text/csv\r\n\r\n" +
         kCsv +
         "\r\n--XyZ--\r\n"
         "epilogue";
}

TEST(UploadTest, RawBodyIsStoredWithItsSha256) {
  const std::string dir = temp_dir();
  auto file = receive(dir, "text/csv", kCsv, 7);
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(read_file((*file)->path()), kCsv);
  EXPECT_EQ((*file)->size(), kCsv.size());
  EXPECT_EQ((*file)->sha256_hex(), security::sha256_hex(kCsv));
  const std::string path = (*file)->path();
  file = Error::Internal("drop");
  EXPECT_FALSE(std::filesystem::exists(path)) << "an unclaimed upload must be removed";
  std::filesystem::remove_all(dir);
}

// Reads `source` to its end (or error) on another thread, as work that follows an upload does.
std::future<Result<std::string>> read_all_later(std::unique_ptr<csv::ByteSource> source) {
  return std::async(std::launch::async, [source = std::move(source)]() -> Result<std::string> {
    std::string out;
    char buffer[5];
    for (;;) {
      ASSIGN_OR_RETURN(std::size_t n, source->read(buffer, sizeof buffer));
      if (n == 0) return out;
      out.append(buffer, n);
    }
  });
}

TEST(UploadTest, AReaderFollowsTheFileAsItIsStored) {
  const std::string dir = temp_dir();
  for (const std::string_view type : {"text/csv", "multipart/form-data; boundary=XyZ"}) {
    SCOPED_TRACE(type);
    const std::string body = type == "text/csv" ? kCsv : multipart_body();
    auto receiver = UploadReceiver::open(dir, type, 1 << 20);
    ASSERT_TRUE(receiver.ok());
    auto early = (*receiver)->follow();  // before any byte
    ASSERT_TRUE(early.ok());
    auto reading = read_all_later(std::move(early).value());
    for (std::size_t i = 0; i < body.size(); i += 3) {
      ASSERT_TRUE((*receiver)->write(std::string_view(body).substr(i, 3)).ok());
      if (i == 9) {
        // The reader waits for bytes not stored yet: it has not finished.
        EXPECT_EQ(reading.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
      }
    }
    auto late = (*receiver)->follow();  // after most of the body
    ASSERT_TRUE(late.ok());
    auto reading_late = read_all_later(std::move(late).value());
    ASSERT_TRUE((*receiver)->finish().ok());
    auto read = reading.get();
    ASSERT_TRUE(read.ok()) << read.error().message();
    EXPECT_EQ(*read, kCsv);  // the stored file: the multipart's file part alone
    auto read_late = reading_late.get();
    ASSERT_TRUE(read_late.ok());
    EXPECT_EQ(*read_late, kCsv);
  }
  std::filesystem::remove_all(dir);
}

TEST(UploadTest, AReaderFailsWhenTheUploadEndsUnfinished) {
  const std::string dir = temp_dir();
  {  // dropped mid-body (refused, cut off)
    auto receiver = UploadReceiver::open(dir, "text/csv", 1 << 20);
    ASSERT_TRUE(receiver.ok());
    auto reading = read_all_later((*receiver)->follow().value());
    ASSERT_TRUE((*receiver)->write("date,amount\r\n").ok());
    receiver = Error::Internal("drop");
    auto read = reading.get();
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code(), ErrorCode::kUnavailable);
  }
  {  // a multipart body that ends before its closing boundary: finish() fails
    auto receiver = UploadReceiver::open(dir, "multipart/form-data; boundary=XyZ", 1 << 20);
    ASSERT_TRUE(receiver.ok());
    auto reading = read_all_later((*receiver)->follow().value());
    const std::string body = multipart_body();
    ASSERT_TRUE((*receiver)->write(body.substr(0, body.size() / 2)).ok());
    EXPECT_FALSE((*receiver)->finish().ok());
    receiver = Error::Internal("drop");
    EXPECT_FALSE(reading.get().ok());
  }
  {  // work kept with the upload is dropped after its readers were told
    struct Work final : UploadWork {
      std::future<Result<std::string>> reading;
    };
    auto receiver = UploadReceiver::open(dir, "text/csv", 1 << 20);
    ASSERT_TRUE(receiver.ok());
    auto work = std::make_shared<Work>();
    work->reading = read_all_later((*receiver)->follow().value());
    (*receiver)->keep(std::move(work));
    // The work's future waits for its read when destroyed: the receiver ends the feed first.
    receiver = Error::Internal("drop");
  }
  std::filesystem::remove_all(dir);
}

TEST(UploadTest, MultipartKeepsOnlyTheFilePartWhateverTheChunking) {
  const std::string dir = temp_dir();
  const std::string body = multipart_body();
  for (std::size_t chunk = 1; chunk <= body.size(); ++chunk) {
    auto file = receive(dir, "multipart/form-data; boundary=XyZ", body, chunk);
    ASSERT_TRUE(file.ok()) << "chunk " << chunk << ": " << file.error().message();
    EXPECT_EQ(read_file((*file)->path()), kCsv) << "chunk " << chunk;
    EXPECT_EQ((*file)->sha256_hex(), security::sha256_hex(kCsv));
    EXPECT_EQ((*file)->filename(), "bank.csv");  // no path parts from the client
    EXPECT_EQ((*file)->content_type(), "text/csv");
  }
  std::filesystem::remove_all(dir);
}

TEST(UploadTest, QuotedBoundaryIsAccepted) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"a b\""), "a b");
  EXPECT_EQ(multipart_boundary("text/csv; boundary=x"), "");
  EXPECT_EQ(multipart_boundary("multipart/form-data"), "");
}

TEST(UploadTest, LimitIsEnforcedWhileStreaming) {
  const std::string dir = temp_dir();
  auto file = receive(dir, "text/csv", std::string(1000, 'x'), 100, 999);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code(), ErrorCode::kPayloadTooLarge);
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "a refused upload leaves no file behind";
  std::filesystem::remove_all(dir);
}

TEST(UploadTest, MalformedMultipartBodiesAreBadRequests) {
  const std::string dir = temp_dir();
  const std::string type = "multipart/form-data; boundary=XyZ";
  for (const std::string& body : {std::string("no boundary at all"),
                                  std::string("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                                              "filename=\"a.csv\"\r\n\r\nunterminated"),
                                  std::string("--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--XyZ--"),
                                  std::string("--XyZ\r\n") + std::string(20000, 'h')}) {
    auto file = receive(dir, type, body, 64);
    ASSERT_FALSE(file.ok()) << body.substr(0, 40);
    EXPECT_EQ(file.error().code(), ErrorCode::kBadRequest) << body.substr(0, 40);
  }
  auto no_boundary = UploadReceiver::open(dir, "multipart/form-data", 100);
  ASSERT_FALSE(no_boundary.ok());
  EXPECT_EQ(no_boundary.error().code(), ErrorCode::kBadRequest);
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace oeuvre::http
