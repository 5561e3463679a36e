#include "security/secret.h"

#include <sodium.h>

#include "security/crypto.h"

namespace oeuvre::security {

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    wipe();
    value_ = other.value_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

bool Secret::operator==(const Secret& other) const { return constant_time_equal(value_, other.value_); }

void Secret::wipe() noexcept {
  // The whole buffer, not only the characters in use: a shorter value may have replaced a longer one.
  if (value_.capacity() > 0) sodium_memzero(value_.data(), value_.capacity());
  value_.clear();
}

}  // namespace oeuvre::security
