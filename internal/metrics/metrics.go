// Package metrics exposes bluelamp's Prometheus metrics: request latency,
// events committed, outbox lag, bus status, live clients, and the Go runtime
// and process collectors (CPU and memory).
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the registry and the collectors the app feeds.
type Metrics struct {
	Registry *prometheus.Registry

	requests *prometheus.HistogramVec
	events   prometheus.Counter
}

// New returns a registry with bluelamp's collectors and Go's.
func New() *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "bluelamp_http_request_duration_seconds",
		Help:    "HTTP request latency by route pattern and status code.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route", "code"})
	m.events = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "bluelamp_events_appended_total",
		Help: "Events committed to force logs by this node.",
	})
	m.Registry.MustRegister(m.requests, m.events,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveRequest records one request.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Observe(d.Seconds())
}

// EventsCommitted counts n events made durable.
func (m *Metrics) EventsCommitted(n int) { m.events.Add(float64(n)) }

// GaugeFunc registers a gauge whose value fn reads at scrape time.
func (m *Metrics) GaugeFunc(name, help string, fn func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// CounterFunc registers a counter whose value fn reads at scrape time.
func (m *Metrics) CounterFunc(name, help string, fn func() float64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, fn))
}

// Handler serves the exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}
