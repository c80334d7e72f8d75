package twitch

import "time"

// DefaultJoinLimit is how many channels an ordinary Twitch account may join
// per JoinWindow.
const DefaultJoinLimit = 20

// JoinWindow is the window Twitch counts joins in. The pacer waits a
// second longer between batches: Twitch counts when a JOIN arrives, and a
// batch delayed on its way must not land in the window of the next.
const JoinWindow = 10 * time.Second

const joinPause = JoinWindow + time.Second

// firstJoins is the batch a new connection joins as soon as it logs in:
// every channel when they fit in one window, else the first JoinLimit in
// the config's order. pace joins the rest.
func (c *IRC) firstJoins() []string {
	return c.cfg.Channels[:min(len(c.cfg.Channels), c.cfg.JoinLimit)]
}

// pace joins the channels firstJoins left out, JoinLimit at a time, one
// batch per window, for as long as the connection lasts. A channel works as
// soon as Twitch confirms its join; the log shows the progress. It runs on
// its own goroutine, started once the connection is welcomed; it ends with
// the connection (a new one starts again from the first batch).
func (s *session) pace() {
	c := s.c
	total := len(c.cfg.Channels)
	next := len(c.firstJoins())
	c.log.Info("joining twitch channels a batch at a time, as Twitch allows", "channels", total, "batch", c.cfg.JoinLimit,
		"every", joinPause, "all_in", time.Duration((total-1)/c.cfg.JoinLimit)*joinPause)
	for next < total {
		select {
		case <-s.ctx.Done():
			return
		case <-s.done:
			return
		case <-c.cfg.Clock.After(joinPause):
		}
		end := min(next+c.cfg.JoinLimit, total)
		s.client.Join(c.cfg.Channels[next:end]...)
		next = end
		c.log.Info("joining twitch channels", "sent", next, "of", total)
	}
}
