// The archive stream: what goes in comes out, and every kind of damage fails loudly with a message
// saying what is wrong.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "backup/archive_reader.h"
#include "backup/archive_writer.h"

namespace oeuvre::backup {
namespace {

BackupKey test_key(std::uint8_t fill) {
  BackupKey::Bytes bytes{};
  bytes.fill(fill);
  bytes[0] = 7;
  return BackupKey(bytes);
}

// Random (incompressible) bytes, so a small chunk size gives many chunks.
std::string random_payload(std::size_t size) {
  std::mt19937 random(42);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(random() & 0xff);
  return out;
}

std::string write_archive(const std::string& payload, const BackupKey& key, std::uint32_t chunk_bytes = 1024) {
  std::ostringstream out;
  ArchiveOptions options;
  options.source_kind = SourceKind::kPostgres;
  options.created_at = std::chrono::sys_seconds(std::chrono::seconds(1'800'000'000));
  options.chunk_bytes = chunk_bytes;
  auto writer = ArchiveWriter::start(out, key, options);
  EXPECT_TRUE(writer.ok());
  for (std::size_t at = 0; at < payload.size(); at += 777) {
    EXPECT_TRUE((*writer)->write(std::string_view(payload).substr(at, 777)).ok());
  }
  EXPECT_TRUE((*writer)->finish().ok());
  return out.str();
}

// The payload read back, or the error.
Result<std::string> read_archive(const std::string& archive, const BackupKey& key) {
  std::istringstream in(archive);
  ASSIGN_OR_RETURN(std::unique_ptr<ArchiveReader> reader, ArchiveReader::open(in, key));
  std::string payload;
  std::array<char, 4096> buffer{};
  while (true) {
    ASSIGN_OR_RETURN(std::size_t n, reader->read(buffer));
    if (n == 0) return payload;
    payload.append(buffer.data(), n);
  }
}

// Offsets of each chunk's frame (its 4-byte length, then the sealed bytes).
std::vector<std::pair<std::size_t, std::size_t>> chunk_frames(const std::string& archive) {
  std::vector<std::pair<std::size_t, std::size_t>> frames;
  std::size_t at = kArchiveHeaderBytes;
  while (at + 4 <= archive.size()) {
    std::size_t length = 0;
    for (std::size_t i = 0; i < 4; ++i) length |= std::size_t{static_cast<unsigned char>(archive[at + i])} << (8 * i);
    frames.emplace_back(at, 4 + length);
    at += 4 + length;
  }
  return frames;
}

std::string error_of(const Result<std::string>& result) {
  return result.ok() ? std::string("(no error)") : result.error().message();
}

class ArchiveTest : public ::testing::Test {
 protected:
  const BackupKey key_ = test_key(1);
  const std::string payload_ = random_payload(20'000);
  const std::string archive_ = write_archive(payload_, key_);
};

TEST_F(ArchiveTest, WhatIsWrittenReadsBackWithItsHeader) {
  auto back = read_archive(archive_, key_);
  ASSERT_TRUE(back.ok()) << error_of(back);
  EXPECT_EQ(*back, payload_);
  EXPECT_GT(chunk_frames(archive_).size(), 10u);
  std::istringstream in(archive_);
  auto reader = ArchiveReader::open(in, key_);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->header().source_kind, SourceKind::kPostgres);
  EXPECT_EQ((*reader)->header().created_at.time_since_epoch().count(), 1'800'000'000);
  EXPECT_EQ((*reader)->header().key_id, key_.id());
}

TEST_F(ArchiveTest, AnEmptyPayloadAndACompressiblePayloadRoundTrip) {
  auto empty = read_archive(write_archive("", key_), key_);
  ASSERT_TRUE(empty.ok()) << error_of(empty);
  EXPECT_EQ(*empty, "");
  const std::string text(1'000'000, 'a');
  const std::string archive = write_archive(text, key_, 64 * 1024);
  EXPECT_LT(archive.size(), 2'000u);
  auto back = read_archive(archive, key_);
  ASSERT_TRUE(back.ok()) << error_of(back);
  EXPECT_EQ(*back, text);
}

TEST_F(ArchiveTest, AFlippedByteInTheHeaderFails) {
  std::string damaged = archive_;
  damaged[14] ^= 0x01;  // the creation time: authenticated with the first chunk
  EXPECT_NE(error_of(read_archive(damaged, key_)).find("chunk 1 fails authentication"), std::string::npos);
  damaged = archive_;
  damaged[0] ^= 0x01;
  EXPECT_NE(error_of(read_archive(damaged, key_)).find("not an Œuvre backup archive"), std::string::npos);
  damaged = archive_;
  damaged[8] = 9;
  EXPECT_NE(error_of(read_archive(damaged, key_)).find("format version 9 is not supported"), std::string::npos);
  damaged = archive_;
  damaged[45] ^= 0x01;  // the secretstream header
  EXPECT_NE(error_of(read_archive(damaged, key_)).find("chunk 1 fails authentication"), std::string::npos);
}

TEST_F(ArchiveTest, AFlippedByteInAMiddleChunkFails) {
  const auto frames = chunk_frames(archive_);
  std::string damaged = archive_;
  const auto& [at, size] = frames[frames.size() / 2];
  damaged[at + size / 2] ^= 0x40;
  EXPECT_NE(error_of(read_archive(damaged, key_)).find("chunk " + std::to_string(frames.size() / 2 + 1) +
                                                       " fails authentication"),
            std::string::npos);
}

TEST_F(ArchiveTest, AFlippedByteInTheLastChunkFails) {
  std::string damaged = archive_;
  damaged.back() ^= 0x01;
  EXPECT_NE(error_of(read_archive(damaged, key_)).find("fails authentication"), std::string::npos);
}

TEST_F(ArchiveTest, AChangedChunkLengthFails) {
  const auto frames = chunk_frames(archive_);
  std::string damaged = archive_;
  damaged[frames[2].first + 3] = 0x7f;
  EXPECT_NE(error_of(read_archive(damaged, key_)).find("chunk 3 has an impossible length"), std::string::npos);
}

TEST_F(ArchiveTest, ATruncatedArchiveFails) {
  const auto frames = chunk_frames(archive_);
  // Cut at a chunk boundary (the final chunk missing) and in the middle of a chunk.
  for (std::size_t cut : {frames.back().first, frames.back().first + 10, archive_.size() - 1}) {
    EXPECT_NE(error_of(read_archive(archive_.substr(0, cut), key_)).find("truncated"), std::string::npos) << cut;
  }
  EXPECT_NE(error_of(read_archive(archive_.substr(0, 30), key_)).find("shorter than its header"), std::string::npos);
}

TEST_F(ArchiveTest, AReorderedOrDroppedChunkFails) {
  const auto frames = chunk_frames(archive_);
  const auto& [a_at, a_size] = frames[2];
  const auto& [b_at, b_size] = frames[3];
  const std::string swapped = archive_.substr(0, a_at) + archive_.substr(b_at, b_size) +
                              archive_.substr(a_at, a_size) + archive_.substr(b_at + b_size);
  EXPECT_NE(error_of(read_archive(swapped, key_)).find("chunk 3 fails authentication"), std::string::npos);
  const std::string dropped = archive_.substr(0, a_at) + archive_.substr(b_at);
  EXPECT_NE(error_of(read_archive(dropped, key_)).find("chunk 3 fails authentication"), std::string::npos);
}

TEST_F(ArchiveTest, BytesAfterTheFinalChunkFail) {
  EXPECT_NE(error_of(read_archive(archive_ + "x", key_)).find("bytes after its final chunk"), std::string::npos);
  // A second archive's chunks appended (same key) are refused too.
  EXPECT_NE(error_of(read_archive(archive_ + archive_.substr(kArchiveHeaderBytes), key_)).find("after its final"),
            std::string::npos);
}

TEST_F(ArchiveTest, AWrongKeyFailsNamingBothKeyIds) {
  const BackupKey other = test_key(2);
  const std::string message = error_of(read_archive(archive_, other));
  EXPECT_NE(message.find("wrong key"), std::string::npos);
  EXPECT_NE(message.find(key_.id_hex()), std::string::npos);
  EXPECT_NE(message.find(other.id_hex()), std::string::npos);
  // A key id forged to match still fails: the chunks do not open.
  std::string forged = archive_;
  std::copy(other.id().begin(), other.id().end(), forged.begin() + 20);
  EXPECT_NE(error_of(read_archive(forged, other)).find("chunk 1 fails authentication"), std::string::npos);
}

TEST_F(ArchiveTest, TwoArchivesOfTheSamePayloadDiffer) {
  EXPECT_NE(write_archive(payload_, key_), archive_);  // a fresh stream header each time
}

}  // namespace
}  // namespace oeuvre::backup
