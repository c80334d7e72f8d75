package moderation

import "time"

// historySize is how many of a chatter's recent messages are remembered,
// which bounds the flood and duplicate counts.
const historySize = 32

// userState is what the engine remembers about one chatter.
type userState struct {
	key    uint64 // hash of the login, for copypasta's distinct count
	userID string

	strikes    int
	lastStrike time.Time
	lastRule   string
	lastNotice time.Time
	// permitUntil is when the chatter's !permit runs out.
	permitUntil time.Time
	lastSeen    time.Time
	// outUntil is until when the engine's latest timeout or ban (banned)
	// of the chatter, outFor long, keeps them out of chat (see silence).
	outUntil time.Time
	outFor   time.Duration
	banned   bool

	history [historySize]past
	hpos    int // next slot to write
	hlen    int
}

// past is one earlier message: when, and the hash of its normalised text.
type past struct {
	at   time.Time
	hash uint64
}

func (u *userState) push(at time.Time, hash uint64) {
	u.history[u.hpos] = past{at, hash}
	u.hpos = (u.hpos + 1) % historySize
	if u.hlen < historySize {
		u.hlen++
	}
	u.lastSeen = at
}

// outWindow is the longest a timeout or ban is taken to keep a chatter
// out: what arrives after it lands was sent before, and takes seconds to
// arrive. A moderator can lift a ban or timeout on Twitch without the bot
// seeing it, so the engine never counts on one for longer.
const outWindow = time.Minute

// silence notes a step that takes the chatter out of chat.
func (u *userState) silence(st Step, now time.Time) {
	switch {
	case st.Ban:
		u.banned, u.outUntil = true, now.Add(outWindow)
	case st.Timeout > 0:
		u.banned, u.outUntil, u.outFor = false, now.Add(min(st.Timeout, outWindow)), st.Timeout
	}
}

// out reports whether the chatter is out of chat by the engine's timeout
// or ban.
func (u *userState) out(now time.Time) bool { return now.Before(u.outUntil) }

// harsher reports whether st goes past what the chatter is serving: a ban
// after a timeout, a longer timeout after a shorter one.
func (u *userState) harsher(st Step) bool {
	return st.Ban && !u.banned || !u.banned && st.Timeout > u.outFor
}

// count is how many earlier messages fall within window before now; with
// hash != 0, only those with that text.
func (u *userState) count(now time.Time, window time.Duration, hash uint64) int {
	n := 0
	for k := 1; k <= u.hlen; k++ {
		p := u.history[(u.hpos-k+historySize)%historySize]
		if now.Sub(p.at) > window {
			break
		}
		if hash == 0 || p.hash == hash {
			n++
		}
	}
	return n
}

// currentStrikes is the chatter's strikes at now, after decay: one is
// forgiven for every full decay period without an offence.
func (u *userState) currentStrikes(now time.Time, decay time.Duration) int {
	if u.strikes == 0 || decay <= 0 {
		return u.strikes
	}
	quiet := now.Sub(u.lastStrike)
	if quiet <= 0 {
		return u.strikes
	}
	return max(0, u.strikes-int(quiet/decay))
}

// recentSize is how many of the channel's recent messages copypasta looks
// back over.
const recentSize = 512

// maxPasters bounds copypasta's user count.
const maxPasters = 32

// recentRing remembers the channel's recent messages for copypasta.
type recentRing struct {
	items [recentSize]recentMsg
	pos   int
	n     int
}

type recentMsg struct {
	at   time.Time
	hash uint64
	user uint64
}

func (r *recentRing) push(at time.Time, hash, user uint64) {
	r.items[r.pos] = recentMsg{at, hash, user}
	r.pos = (r.pos + 1) % recentSize
	if r.n < recentSize {
		r.n++
	}
}

// users counts the distinct other chatters who posted hash within window.
func (r *recentRing) users(now time.Time, window time.Duration, hash, self uint64) int {
	var seen [maxPasters]uint64
	n := 0
	for k := 1; k <= r.n && n < maxPasters; k++ {
		m := r.items[(r.pos-k+recentSize)%recentSize]
		if now.Sub(m.at) > window {
			break
		}
		if m.hash != hash || m.user == self {
			continue
		}
		dup := false
		for _, s := range seen[:n] {
			if s == m.user {
				dup = true
				break
			}
		}
		if !dup {
			seen[n] = m.user
			n++
		}
	}
	return n
}
