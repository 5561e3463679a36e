#pragma once
// One-to-one assignment: picks a subset of scored left-right edges, each record used at most once,
// with the maximum total score. The edge graph is split into connected components; a component is
// solved exactly (Hungarian method, O(k^3)) when it has at most exact_component_limit records on
// each side, greedily (best score first) beyond that. Ties are broken by the lower left index, then
// the lower right index, so equal inputs always give equal outputs.
// Thread-safety: pure function, safe for concurrent use.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace oeuvre::engine {

struct WeightedEdge {
  std::uint32_t left = 0;
  std::uint32_t right = 0;
  double score = 0;  // > 0
};

// REQUIRES: no two edges with the same (left, right); scores finite and > 0.
// Returns the chosen edges sorted by (left, right).
std::vector<WeightedEdge> assign_one_to_one(std::span<const WeightedEdge> edges,
                                            std::size_t exact_component_limit = 200);

}  // namespace oeuvre::engine
