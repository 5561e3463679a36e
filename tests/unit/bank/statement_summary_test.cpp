// SummarisingSink: the summary an upload stores (a read without transaction details) is the one a
// full read gives, for every fixture statement file of every format.
#include "bank/statement_summary.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "bank/bank_file.h"
#include "collecting_sink.h"

namespace oeuvre::bank {
namespace {

namespace fs = std::filesystem;

struct Summary {
  Status status;
  std::vector<StatementSummary> statements;
};

Summary summarise(BankFormat format, const std::string& bytes, bool details) {
  testing::CollectingSink full;
  SummarisingSink summary(details ? &full : nullptr);
  EXPECT_EQ(summary.wants_details(), details);
  csv::MemoryByteSource source(bytes);
  Summary out{parse_bank_statement(format, source, summary), {}};
  out.statements = summary.statements();
  return out;
}

TEST(StatementSummary, AReadWithoutDetailsSummarisesLikeAFullRead) {
  std::size_t files = 0, statements = 0;
  const fs::path root = fs::path(OEUVRE_SOURCE_DIR) / "tests/data/bank";
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string relative = fs::relative(entry.path(), root).string();
    const std::string bytes = testing::read_fixture(relative);
    const std::optional<BankFormat> format =
        detect_bank_format(std::string_view(bytes).substr(0, kSniffBytes));
    if (!format) continue;  // licences, expectations, JSON
    SCOPED_TRACE(relative);
    ++files;
    const Summary full = summarise(*format, bytes, true);
    const Summary light = summarise(*format, bytes, false);
    ASSERT_EQ(full.status.ok(), light.status.ok());
    if (!full.status.ok()) {
      EXPECT_EQ(full.status.error().message(), light.status.error().message());
      continue;
    }
    ASSERT_EQ(full.statements.size(), light.statements.size());
    for (std::size_t i = 0; i < full.statements.size(); ++i) {
      const StatementSummary& a = full.statements[i];
      const StatementSummary& b = light.statements[i];
      EXPECT_EQ(a.identity, b.identity);
      EXPECT_EQ(a.fingerprint, b.fingerprint);
      EXPECT_EQ(a.transactions, b.transactions);
      EXPECT_EQ(a.problems, b.problems);
      EXPECT_EQ(a.transactions_sum, b.transactions_sum);
      EXPECT_EQ(a.balance_difference, b.balance_difference);
      EXPECT_EQ(a.warning, b.warning);
      ++statements;
    }
  }
  EXPECT_GE(files, 20u);
  EXPECT_GE(statements, 20u);
}

}  // namespace
}  // namespace oeuvre::bank
