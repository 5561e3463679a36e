#include "engine/assignment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace oeuvre::engine {
namespace {

class DisjointSets {
 public:
  explicit DisjointSets(std::size_t n) : parent_(n) {
    std::iota(parent_.begin(), parent_.end(), 0u);
  }
  std::uint32_t find(std::uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void unite(std::uint32_t a, std::uint32_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (a < b) std::swap(a, b);
    parent_[a] = b;  // the smaller index becomes the root: deterministic
  }

 private:
  std::vector<std::uint32_t> parent_;
};

bool better(const WeightedEdge& a, const WeightedEdge& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.left != b.left) return a.left < b.left;
  return a.right < b.right;
}

void greedy(std::vector<WeightedEdge>& edges, std::vector<WeightedEdge>& out) {
  std::sort(edges.begin(), edges.end(), better);
  std::vector<std::uint32_t> lefts, rights;
  for (const auto& e : edges) {
    lefts.push_back(e.left);
    rights.push_back(e.right);
  }
  std::sort(lefts.begin(), lefts.end());
  std::sort(rights.begin(), rights.end());
  std::vector<bool> left_used(lefts.size()), right_used(rights.size());
  for (const auto& e : edges) {
    auto li = static_cast<std::size_t>(std::lower_bound(lefts.begin(), lefts.end(), e.left) -
                                       lefts.begin());
    auto ri = static_cast<std::size_t>(std::lower_bound(rights.begin(), rights.end(), e.right) -
                                       rights.begin());
    if (left_used[li] || right_used[ri]) continue;
    left_used[li] = right_used[ri] = true;
    out.push_back(e);
  }
}

// Minimises the total cost of a rows x cols matrix (rows <= cols), every row assigned.
// Returns for each row its column.
std::vector<std::size_t> hungarian(const std::vector<std::int64_t>& cost, std::size_t rows,
                                   std::size_t cols) {
  constexpr std::int64_t kInfinity = std::numeric_limits<std::int64_t>::max() / 4;
  std::vector<std::int64_t> u(rows + 1, 0), v(cols + 1, 0), min_value(cols + 1);
  std::vector<std::size_t> row_of_col(cols + 1, 0), way(cols + 1, 0);
  std::vector<char> used(cols + 1);
  for (std::size_t i = 1; i <= rows; ++i) {
    row_of_col[0] = i;
    std::size_t j0 = 0;
    std::fill(min_value.begin(), min_value.end(), kInfinity);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const std::size_t i0 = row_of_col[j0];
      std::int64_t delta = kInfinity;
      std::size_t j1 = 0;
      for (std::size_t j = 1; j <= cols; ++j) {
        if (used[j]) continue;
        const std::int64_t current = cost[(i0 - 1) * cols + (j - 1)] - u[i0] - v[j];
        if (current < min_value[j]) {
          min_value[j] = current;
          way[j] = j0;
        }
        if (min_value[j] < delta) {
          delta = min_value[j];
          j1 = j;
        }
      }
      for (std::size_t j = 0; j <= cols; ++j) {
        if (used[j]) {
          u[row_of_col[j]] += delta;
          v[j] -= delta;
        } else {
          min_value[j] -= delta;
        }
      }
      j0 = j1;
    } while (row_of_col[j0] != 0);
    do {
      const std::size_t j1 = way[j0];
      row_of_col[j0] = row_of_col[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<std::size_t> col_of_row(rows, 0);
  for (std::size_t j = 1; j <= cols; ++j) {
    if (row_of_col[j] != 0) col_of_row[row_of_col[j] - 1] = j - 1;
  }
  return col_of_row;
}

void solve_exact(const std::vector<WeightedEdge>& edges, std::vector<WeightedEdge>& out) {
  std::vector<std::uint32_t> lefts, rights;
  for (const auto& e : edges) {
    lefts.push_back(e.left);
    rights.push_back(e.right);
  }
  std::sort(lefts.begin(), lefts.end());
  lefts.erase(std::unique(lefts.begin(), lefts.end()), lefts.end());
  std::sort(rights.begin(), rights.end());
  rights.erase(std::unique(rights.begin(), rights.end()), rights.end());
  const bool transpose = lefts.size() > rights.size();
  const std::size_t rows = transpose ? rights.size() : lefts.size();
  const std::size_t cols = transpose ? lefts.size() : rights.size();
  std::vector<std::int64_t> cost(rows * cols, 0);
  std::vector<std::int64_t> edge_at(rows * cols, -1);
  for (std::size_t k = 0; k < edges.size(); ++k) {
    const auto& e = edges[k];
    auto li = static_cast<std::size_t>(std::lower_bound(lefts.begin(), lefts.end(), e.left) -
                                       lefts.begin());
    auto ri = static_cast<std::size_t>(std::lower_bound(rights.begin(), rights.end(), e.right) -
                                       rights.begin());
    std::size_t r = transpose ? ri : li, c = transpose ? li : ri;
    // Scores scaled to integers so the optimum does not depend on floating-point summation order.
    cost[r * cols + c] = -std::llround(e.score * 1e9);
    edge_at[r * cols + c] = static_cast<std::int64_t>(k);
  }
  std::vector<std::size_t> col_of_row = hungarian(cost, rows, cols);
  for (std::size_t r = 0; r < rows; ++r) {
    std::int64_t k = edge_at[r * cols + col_of_row[r]];
    if (k >= 0) out.push_back(edges[static_cast<std::size_t>(k)]);
  }
}

}  // namespace

std::vector<WeightedEdge> assign_one_to_one(std::span<const WeightedEdge> edges,
                                            std::size_t exact_component_limit) {
  std::vector<WeightedEdge> chosen;
  if (edges.empty()) return chosen;
  // Compact node numbering, lefts first, then rights, through direct lookup tables.
  std::uint32_t max_left = 0, max_right = 0;
  for (const auto& e : edges) {
    max_left = std::max(max_left, e.left);
    max_right = std::max(max_right, e.right);
  }
  constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<std::uint32_t> left_number(static_cast<std::size_t>(max_left) + 1, kNone);
  std::vector<std::uint32_t> right_number(static_cast<std::size_t>(max_right) + 1, kNone);
  std::uint32_t lefts = 0, rights = 0;
  for (const auto& e : edges) {
    if (left_number[e.left] == kNone) left_number[e.left] = lefts++;
    if (right_number[e.right] == kNone) right_number[e.right] = rights++;
  }
  auto left_node = [&](std::uint32_t id) { return left_number[id]; };
  auto right_node = [&](std::uint32_t id) { return lefts + right_number[id]; };
  DisjointSets sets(static_cast<std::size_t>(lefts) + rights);
  std::vector<std::uint32_t> edge_left_node(edges.size());
  for (std::size_t k = 0; k < edges.size(); ++k) {
    edge_left_node[k] = left_node(edges[k].left);
    sets.unite(edge_left_node[k], right_node(edges[k].right));
  }
  // Order edges by component, keeping input order inside a component.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> order(edges.size());
  for (std::size_t k = 0; k < edges.size(); ++k) {
    order[k] = {sets.find(edge_left_node[k]), static_cast<std::uint32_t>(k)};
  }
  std::sort(order.begin(), order.end());
  std::vector<WeightedEdge> component;
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin;
    component.clear();
    while (end < order.size() && order[end].first == order[begin].first) {
      component.push_back(edges[order[end].second]);
      ++end;
    }
    begin = end;
    if (component.size() == 1) {
      chosen.push_back(component[0]);
      continue;
    }
    bool one_left = std::all_of(component.begin(), component.end(),
                                [&](const WeightedEdge& e) { return e.left == component[0].left; });
    bool one_right = std::all_of(component.begin(), component.end(), [&](const WeightedEdge& e) {
      return e.right == component[0].right;
    });
    if (one_left || one_right) {
      chosen.push_back(*std::min_element(component.begin(), component.end(), better));
      continue;
    }
    std::size_t distinct_left = 0, distinct_right = 0;
    {
      std::vector<std::uint32_t> l, r;
      for (const auto& e : component) {
        l.push_back(e.left);
        r.push_back(e.right);
      }
      std::sort(l.begin(), l.end());
      std::sort(r.begin(), r.end());
      distinct_left = static_cast<std::size_t>(std::unique(l.begin(), l.end()) - l.begin());
      distinct_right = static_cast<std::size_t>(std::unique(r.begin(), r.end()) - r.begin());
    }
    if (distinct_left <= exact_component_limit && distinct_right <= exact_component_limit) {
      solve_exact(component, chosen);
    } else {
      greedy(component, chosen);
    }
  }
  std::sort(chosen.begin(), chosen.end(), [](const WeightedEdge& a, const WeightedEdge& b) {
    return a.left != b.left ? a.left < b.left : a.right < b.right;
  });
  return chosen;
}

}  // namespace oeuvre::engine
