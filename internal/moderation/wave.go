package moderation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// spamWaveRule catches the way spam bots arrive: several new logins, each
// with its first message in the channel, posting nearly the same text
// within a short window (the handle or a number changed, a letter
// swapped). Likeness is the share of three-character pieces of the
// normalised text two messages have in common.
//
// New chatters also arrive together honestly, after a raid, with the raid
// message; so a wave is acted on only when its text carries a sign of
// spam of its own: a spam bot's family, a link, or a spam score above a
// threshold lower than the spam rule's. The wave is then the evidence the
// score alone could not give.
type spamWaveRule struct {
	users     int
	window    time.Duration
	minLen    int
	threshold float64
	allow     domainList
	model     *spamModelData

	ring [waveRing]waveEntry
	pos  int
	// grams is the scratch for the message being checked.
	grams []uint32
}

// DefaultWaveThreshold is the spam score from which a wave's text counts
// as a sign of spam: lower than the spam rule's, since the wave itself is
// evidence.
const DefaultWaveThreshold = 0.6

// waveRing is how many new chatters' first messages are remembered.
const waveRing = 64

// waveAlike is the likeness from which two messages are the same text;
// waveAlikeFamily is enough for two of one spam bot's family, whose
// copies differ in a handle that can be half of a short line.
const (
	waveAlike       = 0.5
	waveAlikeFamily = 0.35
)

// maxGrams bounds the pieces kept of one message.
const maxGrams = 512

type waveEntry struct {
	at   time.Time
	user uint64
	// grams are the message's three-byte pieces, sorted, each once.
	grams []uint32
	// sign is the message's own sign of spam, "" for none.
	sign string
	// who said it, to act on when the wave is found later; waved is set
	// once it has been.
	id, userID, login string
	waved             bool
}

func (r *spamWaveRule) Name() string { return RuleSpamWave }

func (r *spamWaveRule) Check(in *Input) (Hit, bool) {
	if !in.Msg.First || in.Msg.Returning || in.EmoteOnly || len(in.Norm) < r.minLen {
		return Hit{}, false
	}
	r.grams = appendGrams(r.grams[:0], in.Norm)
	sign := r.sign(in)
	var seen [waveRing]uint64
	var members [waveRing]int // ring slots of the others in the wave
	n := 0
	best := 0.0
	waveSign := sign
	for k := 1; k <= waveRing; k++ {
		e := &r.ring[(r.pos-k+waveRing)%waveRing]
		if e.at.IsZero() || in.Now.Sub(e.at) > r.window {
			break
		}
		if e.user == in.user.key || slices.Contains(seen[:n], e.user) {
			continue
		}
		alike := jaccard(r.grams, e.grams)
		need := waveAlike
		if sign != "" && sign == e.sign && !strings.HasPrefix(sign, "spam score") {
			need = waveAlikeFamily
		}
		if alike < need {
			continue
		}
		seen[n] = e.user
		members[n] = (r.pos - k + waveRing) % waveRing
		n++
		best = max(best, alike)
		if waveSign == "" {
			waveSign = e.sign
		}
	}
	slot := &r.ring[r.pos]
	slot.at, slot.user, slot.sign = in.Now, in.user.key, sign
	slot.id, slot.userID, slot.login, slot.waved = in.Msg.ID, in.Msg.UserID, in.Msg.User, false
	slot.grams = append(slot.grams[:0], r.grams...)
	r.pos = (r.pos + 1) % waveRing
	if n+1 < r.users || waveSign == "" {
		return Hit{}, false
	}
	// The wave's earlier members passed, or got their own rule's
	// penalty: they take the wave's with this one.
	slot.waved = true
	var others []chat.Message
	for _, m := range members[:n] {
		if e := &r.ring[m]; !e.waved {
			e.waved = true
			others = append(others, chat.Message{ID: e.id, UserID: e.userID, User: e.login})
		}
	}
	return Hit{
		others: others,
		Notice: "that looks like a spam wave",
		Detail: fmt.Sprintf("same text from %d new chatters within %s (%.0f%% alike), %s", n+1, formatDuration(r.window), best*100, waveSign),
		Why:    []string{fmt.Sprintf("wave of %d new chatters", n+1), fmt.Sprintf("%.0f%% alike", best*100), waveSign},
	}, true
}

// sign names the message's own sign of spam, or returns "".
func (r *spamWaveRule) sign(in *Input) string {
	if h, ok := checkFamilies(in, r.allow); ok {
		return string(h.family)
	}
	if i := firstBadLink(in, r.allow); i >= 0 {
		return "link to " + string(in.LinkHost(i))
	}
	if p, ok := r.model.score(in); ok && p >= r.threshold {
		return fmt.Sprintf("spam score %.2f", p)
	}
	return ""
}

// appendGrams appends the sorted, distinct three-byte pieces of norm, with
// every run of digits read as one '#': bots number their copies.
func appendGrams(dst []uint32, norm []byte) []uint32 {
	var a, b uint32
	have := 0
	prevDigit := false
	for _, c := range norm {
		digit := c >= '0' && c <= '9'
		if digit && prevDigit {
			continue
		}
		prevDigit = digit
		if digit {
			c = '#'
		}
		g := a<<16 | b<<8 | uint32(c)
		a, b = b, uint32(c)
		have++
		if have >= 3 && len(dst) < maxGrams {
			dst = append(dst, g)
		}
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

// jaccard is the share of pieces two sorted sets have in common.
func jaccard(x, y []uint32) float64 {
	if len(x) == 0 || len(y) == 0 {
		return 0
	}
	both := 0
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i] == y[j]:
			both++
			i++
			j++
		case x[i] < y[j]:
			i++
		default:
			j++
		}
	}
	return float64(both) / float64(len(x)+len(y)-both)
}
