#pragma once
// splitmix64's finaliser: a 64-bit mix whose outputs look random even for inputs that differ in one
// bit or follow each other (counters, amounts, dates), for hashing and for drawing reproducible
// pseudo-random numbers from a counter. Pure function.

#include <cstdint>

namespace oeuvre {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace oeuvre
