// Private: small text encodings every layer shares: percent-encoding (RFC 3986) and
// UTC dates and times (fmt/chrono).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace flr::text {

// Every byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - _ . ~) as %XX:
// "a b&c/d" -> "a%20b%26c%2Fd".
std::string percent_encode(std::string_view text);

// Seconds since the epoch as a UTC date, "2024-03-05".
std::string utc_date(std::int64_t seconds);
// Seconds since the epoch as an ISO 8601 UTC time, "2024-03-05T12:00:00+00:00".
std::string utc_timestamp(std::int64_t seconds);

}  // namespace flr::text
