#pragma once
// A secret value (a key, a password, a token): it prints as *** wherever it is streamed or formatted
// (logs, errors, config dumps), is read only through reveal(), and its bytes are wiped
// (sodium_memzero) when it is released or replaced.
// Thread-safety: like std::string (const use from many threads is safe).

#include <ostream>
#include <string>
#include <string_view>

namespace oeuvre::security {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret& other) : value_(other.value_) {}
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret() { wipe(); }

  // The value itself: pass it straight to what needs it, never to a log or a message.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret& other) const;  // constant time for equal lengths

  static constexpr std::string_view kRedacted = "***";

 private:
  void wipe() noexcept;
  std::string value_;
};

inline std::ostream& operator<<(std::ostream& out, const Secret&) { return out << Secret::kRedacted; }

}  // namespace oeuvre::security
