#include "store/measured_connection.h"

#include <array>
#include <cctype>
#include <chrono>
#include <string>

#include "observability/metrics.h"

namespace oeuvre::store {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs `f` and observes its time as one statement of `kind`.
template <class F>
auto timed(obs::Metrics& metrics, std::string_view kind, F&& f) {
  const auto start = Clock::now();
  auto result = f();
  metrics.observe_query(kind, seconds_since(start));
  return result;
}

// A COPY or batched INSERT load, observed as one "bulk" statement (every add and the finish).
class MeasuredBulkWriter final : public BulkWriter {
 public:
  MeasuredBulkWriter(std::unique_ptr<BulkWriter> inner, obs::Metrics& metrics)
      : inner_(std::move(inner)), metrics_(metrics) {}
  Status add(std::span<const Value> row) override {
    const auto start = Clock::now();
    Status added = inner_->add(row);
    spent_ += Clock::now() - start;
    return added;
  }
  Status finish() override {
    const auto start = Clock::now();
    Status finished = inner_->finish();
    spent_ += Clock::now() - start;
    metrics_.observe_query("bulk", std::chrono::duration<double>(spent_).count());
    return finished;
  }

 private:
  std::unique_ptr<BulkWriter> inner_;
  obs::Metrics& metrics_;
  Clock::duration spent_{};
};

class MeasuredConnection final : public Connection {
 public:
  MeasuredConnection(std::unique_ptr<Connection> inner, obs::Metrics& metrics)
      : inner_(std::move(inner)), metrics_(metrics) {}

  Result<ResultSet> query(std::string_view sql, std::span<const Value> params) override {
    return timed(metrics_, statement_kind(sql), [&] { return inner_->query(sql, params); });
  }
  Status query_each(std::string_view sql, std::span<const Value> params,
                    const std::function<Status(const Row&)>& visit) override {
    return timed(metrics_, statement_kind(sql), [&] { return inner_->query_each(sql, params, visit); });
  }
  Status execute_script(std::string_view sql) override {
    return timed(metrics_, "script", [&] { return inner_->execute_script(sql); });
  }
  Status begin(bool write) override {
    return timed(metrics_, "transaction", [&] { return inner_->begin(write); });
  }
  Status commit() override {
    return timed(metrics_, "transaction", [&] { return inner_->commit(); });
  }
  Status rollback() override {
    return timed(metrics_, "transaction", [&] { return inner_->rollback(); });
  }
  Result<std::vector<std::string>> explain(std::string_view sql, std::span<const Value> params) override {
    return inner_->explain(sql, params);
  }
  Status insert_rows(std::string_view table, std::span<const std::string> columns,
                     const std::vector<std::vector<Value>>& rows) override {
    return timed(metrics_, "bulk", [&] { return inner_->insert_rows(table, columns, rows); });
  }
  Result<std::unique_ptr<BulkWriter>> bulk_writer(std::string_view table,
                                                  std::span<const std::string> columns) override {
    ASSIGN_OR_RETURN(std::unique_ptr<BulkWriter> writer, inner_->bulk_writer(table, columns));
    return std::unique_ptr<BulkWriter>(std::make_unique<MeasuredBulkWriter>(std::move(writer), metrics_));
  }
  bool healthy() override { return inner_->healthy(); }
  Dialect dialect() const override { return inner_->dialect(); }

 private:
  std::unique_ptr<Connection> inner_;
  obs::Metrics& metrics_;
};

}  // namespace

std::string_view statement_kind(std::string_view sql) {
  std::size_t i = 0;
  while (i < sql.size() && (std::isspace(static_cast<unsigned char>(sql[i])) || sql[i] == '(')) ++i;
  std::string word;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])) && word.size() < 12) {
    word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i++]))));
  }
  static constexpr std::array<std::string_view, 4> kPlain = {"select", "insert", "update", "delete"};
  for (std::string_view kind : kPlain) {
    if (word == kind) return kind;
  }
  if (word == "begin" || word == "commit" || word == "rollback" || word == "savepoint" || word == "release" ||
      word == "end") {
    return "transaction";
  }
  return "other";
}

std::unique_ptr<Connection> measure_connection(std::unique_ptr<Connection> inner, obs::Metrics& metrics) {
  return std::make_unique<MeasuredConnection>(std::move(inner), metrics);
}

}  // namespace oeuvre::store
