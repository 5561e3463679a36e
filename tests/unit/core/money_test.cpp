// Tests of src/core/money: ISO 4217 minor-unit digits and writing minor units as decimals.
#include "core/money.h"

#include <gtest/gtest.h>

#include <limits>

namespace oeuvre {
namespace {

TEST(CurrencyScale, Iso4217MinorUnits) {
  EXPECT_EQ(currency_scale("EUR"), 2);
  EXPECT_EQ(currency_scale("USD"), 2);
  EXPECT_EQ(currency_scale("JPY"), 0);
  EXPECT_EQ(currency_scale("krw"), 0);
  EXPECT_EQ(currency_scale("ISK"), 0);
  EXPECT_EQ(currency_scale("CLP"), 0);
  EXPECT_EQ(currency_scale("VND"), 0);
  EXPECT_EQ(currency_scale("KWD"), 3);
  EXPECT_EQ(currency_scale("BHD"), 3);
  EXPECT_EQ(currency_scale("TND"), 3);
  EXPECT_EQ(currency_scale("OMR"), 3);
  EXPECT_EQ(currency_scale(""), 2);
  EXPECT_EQ(currency_scale("EURO"), 2);
}

TEST(FormatMinorUnits, Decimals) {
  EXPECT_EQ(format_minor_units(-1230, 2), "-12.30");
  EXPECT_EQ(format_minor_units(5, 2), "0.05");
  EXPECT_EQ(format_minor_units(-5, 3), "-0.005");
  EXPECT_EQ(format_minor_units(0, 2), "0.00");
  EXPECT_EQ(format_minor_units(1234, 0), "1234");
  EXPECT_EQ(format_minor_units(1234, -1), "1234");
  EXPECT_EQ(format_minor_units(std::numeric_limits<std::int64_t>::min(), 2),
            "-92233720368547758.08");
}

}  // namespace
}  // namespace oeuvre
