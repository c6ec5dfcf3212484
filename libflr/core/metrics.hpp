// Private: counters, gauges and histograms rendered in the Prometheus text exposition
// format (version 0.0.4), written atomically for node_exporter's textfile collector.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace flr::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
public:
    void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class Gauge {
public:
    void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
    void add(double d) noexcept;
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double v) noexcept;
    const std::vector<double>& bounds() const noexcept { return bounds_; }
    // Cumulative counts per bound (the "le" buckets), then +Inf == count().
    std::vector<std::uint64_t> cumulative() const;
    std::uint64_t count() const noexcept;
    double sum() const noexcept;

private:
    std::vector<double> bounds_;
    mutable std::mutex mutex_;
    std::vector<std::uint64_t> counts_;  // per bucket, not cumulative; last is +Inf
    double sum_ = 0;
};

// Default buckets for action durations in seconds: 10 ms .. 2 h.
std::vector<double> duration_buckets();

class Registry {
public:
    // The same name and labels always return the same series. Names follow
    // [a-zA-Z_:][a-zA-Z0-9_:]*; a bad name throws flr::Error.
    Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
    Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
    Histogram& histogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                         const Labels& labels = {});

    std::string render() const;
    // node_exporter textfile convention: write NAME.prom.XXXXXX then rename to path.
    void write_textfile(const std::string& path) const;

private:
    enum class Type { counter, gauge, histogram };
    struct Series {
        std::string labels;  // rendered {a="b"} or ""
        std::unique_ptr<Counter> counter;
        std::unique_ptr<Gauge> gauge;
        std::unique_ptr<Histogram> histogram;
    };
    struct Family {
        Type type;
        std::string help;
        std::map<std::string, Series> series;  // by rendered labels
    };
    Series& series(const std::string& name, const std::string& help, Type type, const Labels& labels);

    mutable std::mutex mutex_;
    std::map<std::string, Family> families_;
};

// Label value escaping per the exposition format: \ " and newline.
std::string escape_label(const std::string& value);

}  // namespace flr::metrics
