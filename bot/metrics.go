package bot

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the bot's Prometheus metrics, in a registry of their own so
// that several bots in one process (tests) do not collide.
type Metrics struct {
	reg *prometheus.Registry

	received   prometheus.Counter
	deleted    prometheus.Counter
	failed     prometheus.Counter
	duplicates prometheus.Counter
	findings   *prometheus.CounterVec
	decisions  *prometheus.CounterVec
	steps      *prometheus.CounterVec
	latency    prometheus.Histogram
}

// NewMetrics registers the bot's metrics, with the Go runtime's and the
// process's, in a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		received: counter("sqs_messages_received_total",
			"SQS messages received."),
		deleted: counter("sqs_messages_deleted_total",
			"SQS messages handled and deleted."),
		failed: counter("sqs_messages_failed_total",
			"SQS messages left for redelivery."),
		duplicates: counter("duplicate_events_total",
			"Events dropped as already handled."),
		findings: counterVec("findings_total",
			"Findings by kind.", "kind"),
		decisions: counterVec("decisions_total",
			"Decisions by action.", "action"),
		steps: counterVec("remediation_steps_total",
			"Remediation, SCP and notification steps by call and status.", "call", "status"),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "serialguard",
			Name:      "handle_duration_seconds",
			Help:      "Time to handle one finding: decide, remediate, notify.",
			Buckets:   prometheus.ExponentialBuckets(0.001, 4, 8),
		}),
	}
	m.reg.MustRegister(m.received, m.deleted, m.failed, m.duplicates,
		m.findings, m.decisions, m.steps, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func counter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "serialguard", Name: name, Help: help,
	})
}

func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "serialguard", Name: name, Help: help,
	}, labels)
}

// Registry is the registry holding the metrics, for tests and for
// serving them elsewhere.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves /healthz, which answers 200 "ok" while the process
// runs, and /metrics in Prometheus' exposition format.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /metrics",
		promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	return mux
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}
