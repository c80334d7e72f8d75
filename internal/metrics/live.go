package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// Live is a snapshot of the bot's connection to chat, read when Prometheus
// scrapes: the connection keeps these numbers anyway, and reading them then
// costs the chat path nothing.
type Live struct {
	Connected bool
	// Connects counts logins since start.
	Connects int
	Channels []LiveChannel
	// Send is the send queue's counters.
	Send chat.SenderStats
	// Enforced, EnforceFailed and EnforceDropped count moderation actions
	// carried out, refused by Twitch, and given up on.
	Enforced, EnforceFailed, EnforceDropped int64
	// EnforceQueued actions wait for Twitch's API budget; EnforceShed
	// counts those dropped (part of EnforceDropped) from a full queue.
	EnforceQueued int
	EnforceShed   int64
	Helix         HelixBudget
}

// HelixBudget is the token's budget on Twitch's API.
type HelixBudget struct {
	// Limit and Remaining are the bucket's points, Waiting the calls
	// waiting for it to refill.
	Limit, Remaining, Waiting int
	// Waited counts calls that had to wait; RateLimited the 429 answers.
	Waited, RateLimited int64
}

// LiveChannel is one channel's part of Live.
type LiveChannel struct {
	Name              string
	Joined, Moderator bool
}

// WatchLive reports status() at every scrape. Call it once, before serving.
func (m *Metrics) WatchLive(status func() Live) {
	m.reg.MustRegister(&liveCollector{status: status})
}

// WatchDropped reports dropped() at every scrape: chat messages dropped
// because the bot fell behind.
func (m *Metrics) WatchDropped(dropped func() int64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Namespace: namespace, Name: "messages_dropped_total",
		Help: "Chat messages dropped unread because the bot fell behind.",
	}, func() float64 { return float64(dropped()) }))
}

// WatchHeld reports, at every scrape, 1 for each of channels this instance
// works when several instances share them, 0 for the others'.
func (m *Metrics) WatchHeld(channels []string, holds func(channel string) bool) {
	for _, ch := range channels {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Name: "cluster_channel_held",
			Help:        "1 for a channel this instance works, 0 for one another instance works.",
			ConstLabels: prometheus.Labels{"channel": ch},
		}, func() float64 {
			if holds(ch) {
				return 1
			}
			return 0
		}))
	}
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
}

var (
	connectedDesc   = desc("twitch_connected", "1 while the bot is logged in to Twitch chat.")
	connectsDesc    = desc("twitch_connects_total", "Logins to Twitch chat since start; more than one means it reconnected.")
	joinedDesc      = desc("twitch_channel_joined", "1 while the bot is in the channel's chat.", "channel")
	moderatorDesc   = desc("twitch_channel_moderator", "1 while the bot is a moderator (or the broadcaster) in the channel.", "channel")
	queueDesc       = desc("send_queue_depth", "Chat messages waiting to be sent.")
	capacityDesc    = desc("send_queue_capacity", "The most chat messages that may wait to be sent; past it, less urgent replies are shed, then new ones refused.")
	sentDesc        = desc("sent_messages_total", "Chat messages handed to Twitch.")
	foldedDesc      = desc("send_folded_total", "Replies that went out folded with others into one message naming several viewers.")
	sendDroppedDesc = desc("send_dropped_total", "Chat messages not sent, by why: stale (waited too long), shed (pushed out of a full queue by a more urgent reply), rejected (queue full of more urgent replies, or shutting down), unsendable (channel given up), failed (Twitch refused).", "reason")
	rateLimitedDesc = desc("send_rate_limited_total", "Times Twitch said the bot chatted too fast.")
	enforcedDesc    = desc("moderation_enforcements_total", "Moderation actions sent to Twitch, by result (done, failed, dropped).", "result")
	modQueueDesc    = desc("moderation_queue_depth", "Moderation actions waiting for Twitch's API budget.")
	modShedDesc     = desc("moderation_shed_total", "Moderation actions dropped because the queue was full, the least severe first (part of dropped).")
	pointsDesc      = desc("helix_points_remaining", "Points left in the token's Twitch API bucket until it refills.")
	pointsLimitDesc = desc("helix_points_limit", "Points in a full Twitch API bucket (Ratelimit-Limit; 800 a minute documented).")
	helixWaitDesc   = desc("helix_waiting", "Twitch API calls waiting for the bucket to refill.")
	helixWaitedDesc = desc("helix_waited_total", "Twitch API calls that had to wait for the bucket to refill.")
	helixLimitDesc  = desc("helix_rate_limited_total", "429 Too Many Requests answers from Twitch's API.")
)

// liveCollector turns a Live snapshot into metrics at scrape time.
type liveCollector struct {
	status func() Live
}

func (c *liveCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{connectedDesc, connectsDesc, joinedDesc, moderatorDesc, queueDesc, capacityDesc, sentDesc, foldedDesc, sendDroppedDesc, rateLimitedDesc, enforcedDesc,
		modQueueDesc, modShedDesc, pointsDesc, pointsLimitDesc, helixWaitDesc, helixWaitedDesc, helixLimitDesc} {
		ch <- d
	}
}

func (c *liveCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.status()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge(connectedDesc, b2f(st.Connected))
	counter(connectsDesc, int64(st.Connects))
	for _, lc := range st.Channels {
		gauge(joinedDesc, b2f(lc.Joined), lc.Name)
		gauge(moderatorDesc, b2f(lc.Moderator), lc.Name)
	}
	gauge(queueDesc, float64(st.Send.Queued))
	gauge(capacityDesc, float64(st.Send.Capacity))
	counter(sentDesc, st.Send.Posted)
	counter(foldedDesc, st.Send.Folded)
	counter(sendDroppedDesc, st.Send.Stale, "stale")
	counter(sendDroppedDesc, st.Send.Shed, "shed")
	counter(sendDroppedDesc, st.Send.Rejected, "rejected")
	counter(sendDroppedDesc, st.Send.Unsendable, "unsendable")
	counter(sendDroppedDesc, st.Send.PostFailed, "failed")
	counter(rateLimitedDesc, st.Send.RateLimited)
	counter(enforcedDesc, st.Enforced, "done")
	counter(enforcedDesc, st.EnforceFailed, "failed")
	counter(enforcedDesc, st.EnforceDropped, "dropped")
	gauge(modQueueDesc, float64(st.EnforceQueued))
	counter(modShedDesc, st.EnforceShed)
	gauge(pointsDesc, float64(st.Helix.Remaining))
	gauge(pointsLimitDesc, float64(st.Helix.Limit))
	gauge(helixWaitDesc, float64(st.Helix.Waiting))
	counter(helixWaitedDesc, st.Helix.Waited)
	counter(helixLimitDesc, st.Helix.RateLimited)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
