#include "bank/transaction_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <type_traits>
#include <vector>

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

// The fields of each event in spool order, written once for both directions: `io` is a SpoolOut
// (writing, over const records) or a SpoolReader (reading). Each has field() for a number, a flag
// or a text, and items() for a list (its length, then each item through `each`).
template <typename Io, typename Info>
void info_fields(Io& io, Info& info) {
  io.field(info.line);
  io.field(info.account);
  io.field(info.currency);
  io.field(info.statement_id);
  io.field(info.sequence);
  io.field(info.message_id);
  io.field(info.period_start);
  io.field(info.period_end);
  io.items(info.balances, [&io](auto& b) {
    io.field(b.type);
    io.field(b.code);
    io.field(b.amount_minor);
    io.field(b.currency);
    io.field(b.date);
  });
}

template <typename Io, typename T>
void transaction_fields(Io& io, T& t) {
  io.field(t.line);
  io.field(t.location);
  io.field(t.booking_date);
  io.field(t.value_date);
  io.field(t.amount_minor);
  io.field(t.currency);
  io.field(t.reversal);
  io.field(t.counterparty_name);
  io.field(t.counterparty_account);
  io.field(t.end_to_end_id);
  io.field(t.creditor_reference);
  io.field(t.reference);
  io.field(t.description);
  io.field(t.transaction_id);
  io.field(t.batch_id);
  io.field(t.batch_amount_minor);
  io.items(t.codes, [&io](auto& code) {
    io.field(code.first);
    io.field(code.second);
  });
}

template <typename Io, typename P>
void problem_fields(Io& io, P& p) {
  io.field(p.line);
  io.field(p.location);
  io.field(p.value);
  io.field(p.reason);
}

// Appends fields to `out`; `ok` turns false for a text or a list too long to be written.
struct SpoolOut {
  std::string& out;
  bool ok = true;

  void field(std::string_view s) { ok = put_string(out, s) && ok; }
  template <typename T>
    requires std::is_arithmetic_v<T>
  void field(T value) {
    if constexpr (std::is_same_v<T, bool>) {
      put<std::uint8_t>(out, value ? 1 : 0);
    } else {
      put<T>(out, value);
    }
  }
  template <typename Item, typename Each>
  void items(const std::vector<Item>& list, const Each& each) {
    if (list.size() > kMaxItems) {
      ok = false;
      return;
    }
    put<std::uint32_t>(out, static_cast<std::uint32_t>(list.size()));
    for (const Item& item : list) each(item);
  }
};

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

  // The field-list side (info_fields, ...): the first failure sticks in status() and the fields
  // after it are left alone.
  void field(std::string& s) {
    if (status_.ok()) status_ = get_string(s);
  }
  template <typename T>
    requires std::is_arithmetic_v<T>
  void field(T& value) {
    if (!status_.ok()) return;
    if constexpr (std::is_same_v<T, bool>) {
      std::uint8_t flag = 0;
      status_ = get(flag);
      if (status_.ok() && flag > 1) status_ = damaged("a flag is neither 0 nor 1");
      value = flag == 1;
    } else {
      status_ = get(value);
    }
  }
  template <typename Item, typename Each>
  void items(std::vector<Item>& list, const Each& each) {
    std::uint32_t count = 0;
    field(count);
    if (!status_.ok()) return;
    if (count > kMaxItems) {
      status_ = damaged("a list is longer than any parser writes");
      return;
    }
    list.resize(count);
    for (Item& item : list) {
      each(item);
      if (!status_.ok()) return;
    }
  }
  const Status& status() const { return status_; }

 private:
  csv::ByteSource& source_;
  std::string buffer_;
  std::size_t pos_ = 0, end_ = 0;
  Status status_ = OkStatus();
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
  SpoolOut out{buffer_};
  info_fields(out, info);
  if (!out.ok) status_ = Error::Unavailable("a statement is too large to spool");
  ++events_;
  flush_if_full();
}

void TransactionSpoolWriter::transaction(const Transaction& t) {
  buffer_.push_back(kTransaction);
  SpoolOut out{buffer_};
  transaction_fields(out, t);
  if (!out.ok) status_ = Error::Unavailable("a transaction is too large to spool");
  ++events_;
  flush_if_full();
}

void TransactionSpoolWriter::problem(const RowProblem& p) {
  buffer_.push_back(kProblem);
  SpoolOut out{buffer_};
  problem_fields(out, p);
  if (!out.ok) status_ = Error::Unavailable("a problem is too large to spool");
  ++events_;
  flush_if_full();
}

void TransactionSpoolWriter::end_statement(const StatementInfo& info) {
  buffer_.push_back(kEnd);
  SpoolOut out{buffer_};
  info_fields(out, info);
  if (!out.ok) status_ = Error::Unavailable("a statement is too large to spool");
  ++events_;
  flush_if_full();
}

void TransactionSpoolWriter::warning(std::uint64_t line, std::string message) {
  buffer_.push_back(kWarning);
  SpoolOut out{buffer_};
  out.field(line);
  out.field(message);
  if (!out.ok) status_ = Error::Unavailable("a warning is too large to spool");
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
        info_fields(in, info);
        RETURN_IF_ERROR(in.status());
        sink.begin_statement(info);
        break;
      case kTransaction:
        transaction_fields(in, t);
        RETURN_IF_ERROR(in.status());
        sink.transaction(t);
        break;
      case kProblem:
        problem_fields(in, p);
        RETURN_IF_ERROR(in.status());
        sink.problem(p);
        break;
      case kEnd:
        info_fields(in, info);
        RETURN_IF_ERROR(in.status());
        sink.end_statement(info);
        break;
      case kWarning: {
        std::uint64_t line = 0;
        in.field(line);
        in.field(message);
        RETURN_IF_ERROR(in.status());
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
