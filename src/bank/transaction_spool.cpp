#include "bank/transaction_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <type_traits>

namespace oeuvre::bank {

namespace {

// The first line of every spool: the format changes with the version, never silently.
constexpr std::string_view kMagic = "OEUVRE-TXSPOOL 1\n";
// A string longer than this is not written (the spool is then left incomplete and unused) and
// refused on play-back: parsers bound their texts far below it.
constexpr std::uint32_t kMaxString = 16u << 20;
constexpr std::uint32_t kMaxItems = 1u << 16;  // balances of a statement, codes of a transaction
constexpr std::size_t kWriteBuffer = 1u << 20;
constexpr std::size_t kReadBuffer = 1u << 20;

enum Tag : char {
  kBegin = 'S',
  kTransaction = 'T',
  kProblem = 'P',
  kEnd = 'E',
  kWarning = 'W',
  kTrailer = 'Z',
};

constexpr int kFormatCount = 6;  // BankFormat's enumerators, in order

// --- writing ---------------------------------------------------------------------------------

template <typename T>
void put(std::string& out, T value) {
  static_assert(std::is_trivially_copyable_v<T>);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

// False when `s` is too long to be written.
bool put_string(std::string& out, std::string_view s) {
  if (s.size() > kMaxString) return false;
  put<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
  return true;
}

bool put_info(std::string& out, const StatementInfo& info) {
  put<std::uint64_t>(out, info.line);
  bool ok = put_string(out, info.account) && put_string(out, info.currency) &&
            put_string(out, info.statement_id) && put_string(out, info.sequence) &&
            put_string(out, info.message_id);
  put<std::int32_t>(out, info.period_start);
  put<std::int32_t>(out, info.period_end);
  if (info.balances.size() > kMaxItems) return false;
  put<std::uint32_t>(out, static_cast<std::uint32_t>(info.balances.size()));
  for (const Balance& b : info.balances) {
    ok = ok && put_string(out, b.type) && put_string(out, b.code);
    put<std::int64_t>(out, b.amount_minor);
    ok = ok && put_string(out, b.currency);
    put<std::int32_t>(out, b.date);
  }
  return ok;
}

// --- reading ---------------------------------------------------------------------------------

Error damaged(std::string_view why) {
  return Error::Internal("the spool of transactions read at upload is damaged: " + std::string(why));
}

// Buffered, bounds-checked reads from a ByteSource.
class SpoolReader {
 public:
  explicit SpoolReader(csv::ByteSource& source) : source_(source) { buffer_.resize(kReadBuffer); }

  // Makes `n` bytes available at data(); kInternal when the spool ends first.
  Status need(std::size_t n) {
    if (end_ - pos_ >= n) return OkStatus();
    if (n > buffer_.size()) return damaged("a field runs past its bound");
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
    while (end_ < n) {
      ASSIGN_OR_RETURN(std::size_t got, source_.read(buffer_.data() + end_, buffer_.size() - end_));
      if (got == 0) return damaged("it ends early");
      end_ += got;
    }
    return OkStatus();
  }

  // True at the end of the spool (nothing buffered, nothing more to read).
  Result<bool> at_end() {
    if (pos_ < end_) return false;
    pos_ = end_ = 0;
    ASSIGN_OR_RETURN(std::size_t got, source_.read(buffer_.data(), buffer_.size()));
    end_ = got;
    return got == 0;
  }

  template <typename T>
  Status get(T& value) {
    RETURN_IF_ERROR(need(sizeof(T)));
    std::memcpy(&value, buffer_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return OkStatus();
  }

  Status get_string(std::string& s) {
    std::uint32_t size = 0;
    RETURN_IF_ERROR(get(size));
    if (size > kMaxString) return damaged("a text is longer than any parser writes");
    s.resize(size);
    std::size_t copied = 0;
    while (copied < size) {  // through the buffer, refilled as often as needed
      if (pos_ == end_) RETURN_IF_ERROR(need(1));
      const std::size_t n = std::min<std::size_t>(size - copied, end_ - pos_);
      std::memcpy(s.data() + copied, buffer_.data() + pos_, n);
      pos_ += n;
      copied += n;
    }
    return OkStatus();
  }

  Status get_info(StatementInfo& info) {
    RETURN_IF_ERROR(get(info.line));
    RETURN_IF_ERROR(get_string(info.account));
    RETURN_IF_ERROR(get_string(info.currency));
    RETURN_IF_ERROR(get_string(info.statement_id));
    RETURN_IF_ERROR(get_string(info.sequence));
    RETURN_IF_ERROR(get_string(info.message_id));
    RETURN_IF_ERROR(get(info.period_start));
    RETURN_IF_ERROR(get(info.period_end));
    std::uint32_t count = 0;
    RETURN_IF_ERROR(get(count));
    if (count > kMaxItems) return damaged("a statement has too many balances");
    info.balances.resize(count);
    for (Balance& b : info.balances) {
      RETURN_IF_ERROR(get_string(b.type));
      RETURN_IF_ERROR(get_string(b.code));
      RETURN_IF_ERROR(get(b.amount_minor));
      RETURN_IF_ERROR(get_string(b.currency));
      RETURN_IF_ERROR(get(b.date));
    }
    return OkStatus();
  }

  Status get_transaction(Transaction& t) {
    RETURN_IF_ERROR(get(t.line));
    RETURN_IF_ERROR(get_string(t.location));
    RETURN_IF_ERROR(get(t.booking_date));
    RETURN_IF_ERROR(get(t.value_date));
    RETURN_IF_ERROR(get(t.amount_minor));
    RETURN_IF_ERROR(get_string(t.currency));
    std::uint8_t reversal = 0;
    RETURN_IF_ERROR(get(reversal));
    if (reversal > 1) return damaged("a flag is neither 0 nor 1");
    t.reversal = reversal == 1;
    RETURN_IF_ERROR(get_string(t.counterparty_name));
    RETURN_IF_ERROR(get_string(t.counterparty_account));
    RETURN_IF_ERROR(get_string(t.end_to_end_id));
    RETURN_IF_ERROR(get_string(t.creditor_reference));
    RETURN_IF_ERROR(get_string(t.reference));
    RETURN_IF_ERROR(get_string(t.description));
    RETURN_IF_ERROR(get_string(t.transaction_id));
    RETURN_IF_ERROR(get_string(t.batch_id));
    RETURN_IF_ERROR(get(t.batch_amount_minor));
    std::uint32_t count = 0;
    RETURN_IF_ERROR(get(count));
    if (count > kMaxItems) return damaged("a transaction has too many codes");
    t.codes.resize(count);
    for (auto& [key, value] : t.codes) {
      RETURN_IF_ERROR(get_string(key));
      RETURN_IF_ERROR(get_string(value));
    }
    return OkStatus();
  }

 private:
  csv::ByteSource& source_;
  std::string buffer_;
  std::size_t pos_ = 0, end_ = 0;
};

}  // namespace

// --- TransactionSpoolWriter ------------------------------------------------------------------

TransactionSpoolWriter::TransactionSpoolWriter(int fd, std::string path)
    : fd_(fd), path_(std::move(path)) {
  buffer_.reserve(kWriteBuffer + 4096);
}

Result<std::unique_ptr<TransactionSpoolWriter>> TransactionSpoolWriter::create(
    const std::string& path, BankFormat format) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error::Unavailable("cannot create the spool " + path + ": " + std::strerror(errno));
  }
  auto writer = std::unique_ptr<TransactionSpoolWriter>(new TransactionSpoolWriter(fd, path));
  writer->buffer_.append(kMagic);
  put<std::uint8_t>(writer->buffer_, static_cast<std::uint8_t>(format));
  return writer;
}

TransactionSpoolWriter::~TransactionSpoolWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void TransactionSpoolWriter::begin_statement(const StatementInfo& info) {
  buffer_.push_back(kBegin);
  if (!put_info(buffer_, info)) status_ = Error::Unavailable("a statement is too large to spool");
  ++events_;
  flush_if_full();
}

void TransactionSpoolWriter::transaction(const Transaction& t) {
  std::string& out = buffer_;
  out.push_back(kTransaction);
  put<std::uint64_t>(out, t.line);
  bool ok = put_string(out, t.location);
  put<std::int32_t>(out, t.booking_date);
  put<std::int32_t>(out, t.value_date);
  put<std::int64_t>(out, t.amount_minor);
  ok = ok && put_string(out, t.currency);
  put<std::uint8_t>(out, t.reversal ? 1 : 0);
  ok = ok && put_string(out, t.counterparty_name) && put_string(out, t.counterparty_account) &&
       put_string(out, t.end_to_end_id) && put_string(out, t.creditor_reference) &&
       put_string(out, t.reference) && put_string(out, t.description) &&
       put_string(out, t.transaction_id) && put_string(out, t.batch_id);
  put<std::int64_t>(out, t.batch_amount_minor);
  ok = ok && t.codes.size() <= kMaxItems;
  put<std::uint32_t>(out, static_cast<std::uint32_t>(t.codes.size()));
  for (const auto& [key, value] : t.codes) ok = ok && put_string(out, key) && put_string(out, value);
  if (!ok) status_ = Error::Unavailable("a transaction is too large to spool");
  ++events_;
  flush_if_full();
}

void TransactionSpoolWriter::problem(const RowProblem& p) {
  buffer_.push_back(kProblem);
  put<std::uint64_t>(buffer_, p.line);
  if (!(put_string(buffer_, p.location) && put_string(buffer_, p.value) &&
        put_string(buffer_, p.reason))) {
    status_ = Error::Unavailable("a problem is too large to spool");
  }
  ++events_;
  flush_if_full();
}

void TransactionSpoolWriter::end_statement(const StatementInfo& info) {
  buffer_.push_back(kEnd);
  if (!put_info(buffer_, info)) status_ = Error::Unavailable("a statement is too large to spool");
  ++events_;
  flush_if_full();
}

void TransactionSpoolWriter::warning(std::uint64_t line, std::string message) {
  buffer_.push_back(kWarning);
  put<std::uint64_t>(buffer_, line);
  if (!put_string(buffer_, message)) status_ = Error::Unavailable("a warning is too large to spool");
  ++events_;
  flush_if_full();
}

void TransactionSpoolWriter::flush_if_full() {
  if (buffer_.size() >= kWriteBuffer) flush();
}

void TransactionSpoolWriter::flush() {
  std::size_t written = 0;
  while (status_.ok() && written < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status_ = Error::Unavailable("cannot write the spool " + path_ + ": " + std::strerror(errno));
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

Status TransactionSpoolWriter::finish() {
  buffer_.push_back(kTrailer);
  put<std::uint64_t>(buffer_, events_);
  flush();
  if (::close(fd_) != 0 && status_.ok()) {
    status_ = Error::Unavailable("cannot write the spool " + path_ + ": " + std::strerror(errno));
  }
  fd_ = -1;
  return status_;
}

// --- play-back -------------------------------------------------------------------------------

namespace {

Result<BankFormat> read_header(SpoolReader& in) {
  RETURN_IF_ERROR(in.need(kMagic.size() + 1));
  std::string magic(kMagic.size(), '\0');
  for (char& c : magic) RETURN_IF_ERROR(in.get(c));
  if (magic != kMagic) return damaged("it is not a spool of this version");
  std::uint8_t format = 0;
  RETURN_IF_ERROR(in.get(format));
  if (format >= kFormatCount) return damaged("it names no bank format");
  return static_cast<BankFormat>(format);
}

}  // namespace

Result<BankFormat> spool_format(const std::string& path) {
  ASSIGN_OR_RETURN(auto file, csv::FileByteSource::open(path));
  SpoolReader in(*file);
  return read_header(in);
}

Status replay_transaction_spool(csv::ByteSource& source, BankFormat format, StatementSink& sink) {
  SpoolReader in(source);
  ASSIGN_OR_RETURN(BankFormat written_for, read_header(in));
  if (written_for != format) return damaged("it was written for another format");
  StatementInfo info;
  Transaction t;
  RowProblem p;
  std::string message;
  std::uint64_t events = 0;
  while (true) {
    char tag = 0;
    RETURN_IF_ERROR(in.get(tag));
    switch (tag) {
      case kBegin:
        RETURN_IF_ERROR(in.get_info(info));
        sink.begin_statement(info);
        break;
      case kTransaction:
        RETURN_IF_ERROR(in.get_transaction(t));
        sink.transaction(t);
        break;
      case kProblem:
        RETURN_IF_ERROR(in.get(p.line));
        RETURN_IF_ERROR(in.get_string(p.location));
        RETURN_IF_ERROR(in.get_string(p.value));
        RETURN_IF_ERROR(in.get_string(p.reason));
        sink.problem(p);
        break;
      case kEnd:
        RETURN_IF_ERROR(in.get_info(info));
        sink.end_statement(info);
        break;
      case kWarning: {
        std::uint64_t line = 0;
        RETURN_IF_ERROR(in.get(line));
        RETURN_IF_ERROR(in.get_string(message));
        sink.warning(line, message);
        break;
      }
      case kTrailer: {
        std::uint64_t written = 0;
        RETURN_IF_ERROR(in.get(written));
        if (written != events) return damaged("it holds another number of events than written");
        ASSIGN_OR_RETURN(bool end, in.at_end());
        if (!end) return damaged("bytes follow its end");
        return OkStatus();
      }
      default:
        return damaged("an event of unknown kind");
    }
    ++events;
  }
}

}  // namespace oeuvre::bank
