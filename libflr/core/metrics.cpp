#include "core/metrics.hpp"

#include "core/fs.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace flr::metrics {
namespace {

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_name(const std::string& name) {
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; };
    if (name.empty() || !alpha(name[0])) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

std::string render_labels(const Labels& labels, const std::string& extra = {}) {
    if (labels.empty() && extra.empty()) {
        return {};
    }
    std::string out = "{";
    for (const auto& [k, v] : labels) {
        if (!valid_name(k)) {
            throw Error(fmt::format("invalid metric label name \"{}\"", k));
        }
        if (out.size() > 1) {
            out += ',';
        }
        out += fmt::format("{}=\"{}\"", k, escape_label(v));
    }
    if (!extra.empty()) {
        out += (out.size() > 1 ? "," : "") + extra;
    }
    return out + "}";
}

// Shortest text that reads back as the same double; Prometheus spells infinity +Inf.
std::string number(double v) {
    if (std::isinf(v)) {
        return v > 0 ? "+Inf" : "-Inf";
    }
    if (std::isnan(v)) {
        return "NaN";
    }
    return fmt::format("{}", v);
}

// Insert `extra` (le="...") into an already rendered label set.
std::string with_label(const std::string& rendered, const std::string& extra) {
    if (rendered.empty()) {
        return "{" + extra + "}";
    }
    return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

void Gauge::add(double d) noexcept {
    double cur = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
    }
}

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
    std::sort(bounds_.begin(), bounds_.end());
    bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
    counts_.assign(bounds_.size() + 1, 0);
}

void Histogram::observe(double v) noexcept {
    auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
    std::lock_guard lock(mutex_);
    counts_[static_cast<size_t>(it - bounds_.begin())]++;
    sum_ += v;
}

std::vector<std::uint64_t> Histogram::cumulative() const {
    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> out;
    std::uint64_t running = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
        running += counts_[i];
        out.push_back(running);
    }
    return out;
}

std::uint64_t Histogram::count() const noexcept {
    std::lock_guard lock(mutex_);
    std::uint64_t total = 0;
    for (auto c : counts_) {
        total += c;
    }
    return total;
}

double Histogram::sum() const noexcept {
    std::lock_guard lock(mutex_);
    return sum_;
}

std::vector<double> duration_buckets() {
    return {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200};
}

std::string escape_label(const std::string& value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

Registry::Series& Registry::series(const std::string& name, const std::string& help, Type type, const Labels& labels) {
    if (!valid_name(name)) {
        throw Error(fmt::format("invalid metric name \"{}\"", name));
    }
    std::string key = render_labels(labels);
    std::lock_guard lock(mutex_);
    auto [fit, created] = families_.try_emplace(name, Family{type, help, {}});
    if (!created && fit->second.type != type) {
        throw Error(fmt::format("metric \"{}\" registered twice with different types", name));
    }
    auto& s = fit->second.series[key];
    s.labels = key;
    return s;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
    auto& s = series(name, help, Type::counter, labels);
    if (!s.counter) {
        s.counter = std::make_unique<Counter>();
    }
    return *s.counter;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
    auto& s = series(name, help, Type::gauge, labels);
    if (!s.gauge) {
        s.gauge = std::make_unique<Gauge>();
    }
    return *s.gauge;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                               const Labels& labels) {
    auto& s = series(name, help, Type::histogram, labels);
    if (!s.histogram) {
        s.histogram = std::make_unique<Histogram>(bounds);
    }
    return *s.histogram;
}

std::string Registry::render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, family] : families_) {
        const char* type = family.type == Type::counter ? "counter"
                           : family.type == Type::gauge ? "gauge"
                                                        : "histogram";
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name, type);
        for (const auto& [key, s] : family.series) {
            if (s.counter) {
                out += fmt::format("{}{} {}\n", name, key, s.counter->value());
            } else if (s.gauge) {
                out += fmt::format("{}{} {}\n", name, key, number(s.gauge->value()));
            } else if (s.histogram) {
                auto cumulative = s.histogram->cumulative();
                const auto& bounds = s.histogram->bounds();
                for (size_t i = 0; i < bounds.size(); ++i) {
                    out += fmt::format("{}_bucket{} {}\n", name,
                                       with_label(key, fmt::format("le=\"{}\"", number(bounds[i]))), cumulative[i]);
                }
                out += fmt::format("{}_bucket{} {}\n", name, with_label(key, "le=\"+Inf\""), s.histogram->count());
                out += fmt::format("{}_sum{} {}\n", name, key, number(s.histogram->sum()));
                out += fmt::format("{}_count{} {}\n", name, key, s.histogram->count());
            }
        }
    }
    return out;
}

void Registry::write_textfile(const std::string& path) const {
    fs::write_file_atomic(path, render(), 0644);
}

}  // namespace flr::metrics
