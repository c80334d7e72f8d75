package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"

	"github.com/chatdesk/chatdesk/internal/health"
	"github.com/chatdesk/chatdesk/internal/metrics"
)

// newMetrics returns the run's metrics, or nil when http.addr is empty:
// nothing would serve them, so nothing need count.
func newMetrics(cfg *Config) *metrics.Metrics {
	if cfg.HTTP.Addr == "" {
		return nil
	}
	return metrics.New(cfg.channelNames()...)
}

// meterTickets makes the help desks' store report ticket transitions to m,
// and starts the open-ticket gauges from what the store holds. The desks
// must be built after it, since they keep the store they are given.
func meterTickets(ctx context.Context, esc *ticketStore, m *metrics.Metrics, cfg *Config, log *slog.Logger) {
	if m == nil {
		return
	}
	esc.Store = m.MeterStore(ctx, esc.Store, cfg.channelNames(), log)
}

// httpMux serves /healthz from status and, when metrics are on, /metrics.
func httpMux(m *metrics.Metrics, status func() health.Status) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/healthz", health.Handler(status))
	if m != nil {
		mux.Handle("/metrics", m.Handler())
	}
	return mux
}

// consoleListener listens on http.addr for the console. A busy port is
// not worth stopping a local chat for: it is logged and the console runs
// without the endpoint.
func consoleListener(cfg *Config, log *slog.Logger) net.Listener {
	if cfg.HTTP.Addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		log.Warn("metrics and health endpoint off: cannot listen on http.addr (set it to a free port, or to \"\" to turn it off)", "http.addr", cfg.HTTP.Addr, "err", err)
		return nil
	}
	return ln
}

// consoleHealth is the console's /healthz: a local chat is always "in"
// its channels.
func consoleHealth(channels []string) func(int64) health.Status {
	return func(dropped int64) health.Status {
		st := health.Status{Connected: true, Connects: 1, DroppedMessages: dropped}
		for _, name := range channels {
			st.Channels = append(st.Channels, health.Channel{Name: name, Joined: true, Moderator: true})
		}
		return st
	}
}
