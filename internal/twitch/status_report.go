package twitch

import (
	"github.com/chatdesk/chatdesk/internal/health"
	"github.com/chatdesk/chatdesk/internal/metrics"
)

// Health is the status as the health endpoint reports it.
func (st Status) Health() health.Status {
	h := health.Status{
		Connected: st.Connected, Connects: st.Connects, LastMessage: st.LastMessage,
		DroppedMessages: st.Dropped,
		Send:            health.Send{Queued: st.Send.Queued, Posted: st.Send.Posted, Stale: st.Send.Stale, Rejected: st.Send.Rejected},
		Moderation: health.Moderation{Done: st.Moderation.Done, Failed: st.Moderation.Failed, Dropped: st.Moderation.Dropped,
			Queued: st.Moderation.Queued, Shed: st.Moderation.Shed,
			Stopped: st.Moderation.Stopped, Disabled: st.Moderation.Disabled},
		Helix: &health.Helix{Limit: st.Helix.Limit, Remaining: st.Helix.Remaining, Reset: st.Helix.Reset,
			Waiting: st.Helix.Waiting, Waited: st.Helix.Waited, RateLimited: st.Helix.RateLimited},
		Token: &health.Token{Refused: st.Token.Refused, Reason: st.Token.Reason, Refreshes: st.Token.Refreshes,
			Expiry: st.Token.Expiry, Validated: st.Token.Validated},
	}
	for _, ch := range st.Channels {
		h.Channels = append(h.Channels, health.Channel{Name: ch.Name, Joined: ch.Joined, Moderator: ch.Moderator, LastMessage: ch.LastMessage})
	}
	return h
}

// Metrics is the status as the metrics read it.
func (st Status) Metrics() metrics.Live {
	l := metrics.Live{
		Connected: st.Connected, Connects: st.Connects, Send: st.Send,
		Enforced: st.Moderation.Done, EnforceFailed: st.Moderation.Failed, EnforceDropped: st.Moderation.Dropped,
		EnforceQueued: st.Moderation.Queued, EnforceShed: st.Moderation.Shed,
		Helix: metrics.HelixBudget{Limit: st.Helix.Limit, Remaining: st.Helix.Remaining, Waiting: st.Helix.Waiting,
			Waited: st.Helix.Waited, RateLimited: st.Helix.RateLimited},
	}
	for _, ch := range st.Channels {
		l.Channels = append(l.Channels, metrics.LiveChannel{Name: ch.Name, Joined: ch.Joined, Moderator: ch.Moderator})
	}
	return l
}
