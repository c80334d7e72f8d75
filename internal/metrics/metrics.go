// Package metrics keeps the bot's live Prometheus metrics: what chat asked,
// what the bot answered, missed, escalated and enforced, how fast, and how
// the connection and the send queue are doing. It watches the router as an
// observer and takes small hooks from the parts that know the rest (the
// ticket store, the Helix client, the send queue), so none of them needs to
// know Prometheus.
//
// Every metric lives in a registry the Metrics owns; nothing is registered
// globally. A channel is a label, a viewer never is: per-viewer series would
// grow without bound and single people out.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chatdesk/chatdesk/internal/chat"
)

const namespace = "chatdesk"

// Buckets. The stages decide in microseconds to milliseconds (an index
// lookup, a store write); a ticket waits minutes to hours for a human.
var (
	decisionBuckets = prometheus.ExponentialBuckets(0.0001, 4, 9) // 100µs … ~6.5s
	sendBuckets     = []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30}
	ticketBuckets   = []float64{30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 21600, 86400}
)

// Metrics is the bot's metrics. It implements the router's Observer. It is
// safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	messages      *prometheus.CounterVec
	decisions     *prometheus.CounterVec
	questions     *prometheus.CounterVec
	missed        *prometheus.CounterVec
	escalations   *prometheus.CounterVec
	answers       *prometheus.CounterVec
	moderation    *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	ticketsOpened *prometheus.CounterVec
	ticketsClosed *prometheus.CounterVec
	firstResponse *prometheus.HistogramVec
	resolution    *prometheus.HistogramVec
	openTickets   *prometheus.GaugeVec
	sendWait      *prometheus.HistogramVec
	helixErrors   *prometheus.CounterVec
	tips          *prometheus.CounterVec
	shed          *prometheus.CounterVec

	// channels is built by New and never written after, so the hot path
	// reads it without a lock; chat from a channel nobody named at start
	// goes through others.
	channels map[string]*channelMetrics
	mu       sync.Mutex
	others   map[string]*channelMetrics

	sendWaitBy [chat.PriorityTip + 1]prometheus.Observer
}

// channelMetrics are one channel's series, resolved once so that counting a
// message is a few atomic adds.
type channelMetrics struct {
	m *Metrics

	name        string
	messages    prometheus.Counter
	questions   prometheus.Counter
	missed      prometheus.Counter
	escalations prometheus.Counter
	shed        prometheus.Counter
	latency     prometheus.Observer
	decisions   map[chat.Action]prometheus.Counter

	// answers and moderation grow with the FAQ entries and rules that
	// fire; both are bounded by what the streamer wrote.
	mu         sync.Mutex
	answers    map[string]prometheus.Counter
	moderation map[modKey]prometheus.Counter
}

type modKey struct {
	rule, step string
	shadow     bool
}

var actions = []chat.Action{chat.ActionIgnore, chat.ActionAnswer, chat.ActionModerate, chat.ActionEscalate, chat.ActionCommand}

// priorityNames label the send queue's priorities.
var priorityNames = [...]string{
	chat.PriorityStaff:      "staff",
	chat.PriorityModeration: "moderation",
	chat.PriorityTicket:     "ticket",
	chat.PriorityAck:        "ack",
	chat.PriorityCommand:    "command",
	chat.PriorityAnswer:     "answer",
	chat.PriorityTip:        "tip",
}

// New returns metrics for the given channels, registered in a registry of
// their own along with the Go runtime and process collectors.
func New(channels ...string) *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
		reg.MustRegister(v)
		return v
	}
	histogram := func(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: buckets}, labels)
		reg.MustRegister(v)
		return v
	}
	m := &Metrics{
		reg:           reg,
		messages:      counter("messages_total", "Chat messages the bot read.", "channel"),
		decisions:     counter("decisions_total", "Chat messages by what the bot did about them (answer, moderate, escalate, command, ignore).", "channel", "action"),
		questions:     counter("questions_total", "Chat messages read as questions, answered or not.", "channel"),
		missed:        counter("missed_questions_total", "Questions the bot neither answered nor escalated: what the FAQ lacks.", "channel"),
		escalations:   counter("escalations_total", "Messages that filed or joined a ticket.", "channel"),
		answers:       counter("answers_total", "FAQ answers given, per entry.", "channel", "entry"),
		moderation:    counter("moderation_actions_total", "Moderation decisions, per rule and ladder step; shadow ones were only recorded.", "channel", "rule", "step", "shadow"),
		latency:       histogram("answer_latency_seconds", "Time from reading a question to deciding its answer.", decisionBuckets, "channel"),
		ticketsOpened: counter("tickets_opened_total", "Tickets filed or reopened.", "channel"),
		ticketsClosed: counter("tickets_closed_total", "Tickets closed, by how (resolved or dismissed).", "channel", "how"),
		firstResponse: histogram("ticket_first_response_seconds", "Time from filing a ticket to its first answer.", ticketBuckets, "channel"),
		resolution:    histogram("ticket_resolution_seconds", "Time from filing a ticket to resolving it.", ticketBuckets, "channel"),
		openTickets: func() *prometheus.GaugeVec {
			v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "open_tickets", Help: "Tickets waiting for a moderator or for their asker."}, []string{"channel"})
			reg.MustRegister(v)
			return v
		}(),
		sendWait:    histogram("send_wait_seconds", "Time a chat message waited in the send queue, per priority.", sendBuckets, "priority"),
		helixErrors: counter("helix_errors_total", "Failed Twitch API calls (each attempt), by endpoint and HTTP status; status 0 is a network error.", "endpoint", "status"),
		tips:        counter("tips_total", "Proactive tips posted, per entry.", "channel", "entry"),
		shed:        counter("shed_messages_total", "Chat messages judged by moderation only, neither answered nor escalated, because their channel's lane was full.", "channel"),
		channels:    make(map[string]*channelMetrics, len(channels)),
		others:      map[string]*channelMetrics{},
	}
	for p, name := range priorityNames {
		m.sendWaitBy[p] = m.sendWait.WithLabelValues(name)
	}
	for _, ch := range channels {
		m.channels[ch] = m.newChannel(ch)
	}
	return m
}

func (m *Metrics) newChannel(name string) *channelMetrics {
	c := &channelMetrics{
		m:           m,
		name:        name,
		messages:    m.messages.WithLabelValues(name),
		questions:   m.questions.WithLabelValues(name),
		missed:      m.missed.WithLabelValues(name),
		escalations: m.escalations.WithLabelValues(name),
		shed:        m.shed.WithLabelValues(name),
		latency:     m.latency.WithLabelValues(name),
		decisions:   make(map[chat.Action]prometheus.Counter, len(actions)),
		answers:     map[string]prometheus.Counter{},
		moderation:  map[modKey]prometheus.Counter{},
	}
	for _, a := range actions {
		c.decisions[a] = m.decisions.WithLabelValues(name, string(a))
	}
	// A channel's open tickets read 0, not "no data", until one is filed.
	m.openTickets.WithLabelValues(name)
	return c
}

// channel returns name's series.
func (m *Metrics) channel(name string) *channelMetrics {
	if c, ok := m.channels[name]; ok {
		return c
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.others[name]
	if !ok {
		c = m.newChannel(name)
		m.others[name] = c
	}
	return c
}

// Registry is where the metrics live, for tests and for adding collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Observe counts one message and what the router decided about it. It
// implements router.Observer.
func (m *Metrics) Observe(_ context.Context, msg chat.Message, d chat.Decision, took time.Duration) {
	c := m.channel(msg.Channel)
	c.messages.Inc()
	action := d.Action
	if action == "" {
		action = chat.ActionIgnore
	}
	if dc, ok := c.decisions[action]; ok {
		dc.Inc()
	}
	if d.Question {
		c.questions.Inc()
		if action == chat.ActionIgnore {
			c.missed.Inc()
		}
	}
	switch action {
	case chat.ActionAnswer:
		c.latency.Observe(took.Seconds())
		c.answered(d.FAQ)
	case chat.ActionCommand:
		// !faq answers from the FAQ too.
		if d.FAQ != "" {
			c.answered(d.FAQ)
		}
	case chat.ActionEscalate:
		c.escalations.Inc()
	case chat.ActionModerate:
		c.moderated(modKey{rule: d.Rule, step: d.Penalty, shadow: d.Shadow})
	}
}

func (c *channelMetrics) answered(entry string) {
	if entry == "" {
		return
	}
	c.mu.Lock()
	n, ok := c.answers[entry]
	if !ok {
		n = c.m.answers.WithLabelValues(c.name, entry)
		c.answers[entry] = n
	}
	c.mu.Unlock()
	n.Inc()
}

func (c *channelMetrics) moderated(k modKey) {
	c.mu.Lock()
	n, ok := c.moderation[k]
	if !ok {
		n = c.m.moderation.WithLabelValues(c.name, k.rule, k.step, strconv.FormatBool(k.shadow))
		c.moderation[k] = n
	}
	c.mu.Unlock()
	n.Inc()
}

// Posted records how long a message waited in the send queue; it fits
// chat.SenderConfig.OnPost.
func (m *Metrics) Posted(p chat.Posted) {
	if p.Priority < 0 || int(p.Priority) >= len(m.sendWaitBy) {
		return
	}
	m.sendWaitBy[p.Priority].Observe(p.At.Sub(p.Queued).Seconds())
}

// HelixError counts one failed Twitch API attempt; status is the HTTP
// status, or 0 when no answer came. path is the endpoint ("/moderation/bans"),
// never a URL with ids in it.
func (m *Metrics) HelixError(method, path string, status int) {
	m.helixErrors.WithLabelValues(method+" "+path, strconv.Itoa(status)).Inc()
}

// TicketOpened counts a ticket filed or reopened in channel.
func (m *Metrics) TicketOpened(channel string) {
	m.ticketsOpened.WithLabelValues(channel).Inc()
	m.openTickets.WithLabelValues(channel).Inc()
}

// TicketFirstResponse records how long a ticket waited for its first
// answer.
func (m *Metrics) TicketFirstResponse(channel string, waited time.Duration) {
	m.firstResponse.WithLabelValues(channel).Observe(waited.Seconds())
}

// TicketClosed counts a ticket closing; a resolved one also records how
// long it took from filing.
func (m *Metrics) TicketClosed(channel string, resolved bool, age time.Duration) {
	how := "dismissed"
	if resolved {
		how = "resolved"
		m.resolution.WithLabelValues(channel).Observe(age.Seconds())
	}
	m.ticketsClosed.WithLabelValues(channel, how).Inc()
	m.openTickets.WithLabelValues(channel).Dec()
}

// SetOpenTickets sets what is open in channel, from the store at start.
func (m *Metrics) SetOpenTickets(channel string, n int) {
	m.openTickets.WithLabelValues(channel).Set(float64(n))
}

// Shed counts a message of channel that moderation judged but nothing
// answered or escalated, because the channel's lane was full; it fits
// router.Router.OnShed.
func (m *Metrics) Shed(channel string) { m.channel(channel).shed.Inc() }

// TipPosted counts a proactive tip.
func (m *Metrics) TipPosted(channel, entry string) {
	m.tips.WithLabelValues(channel, entry).Inc()
}
