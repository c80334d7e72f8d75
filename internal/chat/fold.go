package chat

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Folding. When a flood of viewers each earns a reply of the same kind (the
// help desk's "got it — ticket #12"), posting one message per viewer at one
// message a second per channel puts the last viewer a minute behind, and
// uses up the budget the moderators need. A folded message names every
// viewer, so each is still notified, and says all their numbers at once:
//
//	@a @b @c got it — tickets #12–#14, a moderator will answer
//
// Replies fold only when two or more wait: in a quiet channel each one goes
// out as its own text, threaded under the viewer's message.

// foldWith returns o and the queued replies that fold into one message with
// it — same channel, kind and priority, not waiting on their thread — in
// queue order, as many as fit in one chat message. It returns nil when o
// does not fold. s.mu must be held; o may still be in the queue.
func (s *Sender) foldWith(o *outgoing) []*outgoing {
	if o.fold.Kind == "" {
		return nil
	}
	// The length is counted as the text is built, before sanitising,
	// which can only shorten it: building and measuring the whole line for
	// every candidate would cost a flood quadratic time.
	out := []*outgoing{o}
	frame := utf8.RuneCountInString(o.fold.Lead) + utf8.RuneCountInString(o.fold.Tail)
	named := map[string]bool{o.fold.To: true}
	mentions := mentionRunes(o.fold.To)
	var nums []int64
	if o.fold.Number > 0 {
		nums = append(nums, o.fold.Number)
	}
	for _, m := range s.queue {
		if m == o || m.gone || m.channel != o.channel || m.fold.Kind != o.fold.Kind || m.prio != o.prio || m.waits() {
			continue
		}
		more, tryNums := mentions, nums
		if !named[m.fold.To] {
			more += mentionRunes(m.fold.To)
		}
		if m.fold.Number > 0 {
			tryNums = append(nums[:len(nums):len(nums)], m.fold.Number)
		}
		n := more + frame
		if len(tryNums) > 0 {
			n += utf8.RuneCountInString(numberList(o.fold.Noun, tryNums))
		}
		if n > MaxMessageRunes {
			// The oldest keep their turn: the next message starts with m.
			break
		}
		out, mentions, nums = append(out, m), more, tryNums
		named[m.fold.To] = true
	}
	return out
}

// mentionRunes is the length of "@to " in a folded line.
func mentionRunes(to string) int { return utf8.RuneCountInString(to) + 2 }

// foldText is the one message that carries replies: every viewer named
// once, in order, then the kind's Lead, the numbers and its Tail. It is
// sanitised like every reply.
func foldText(replies []*outgoing) string {
	var b strings.Builder
	var nums []int64
	for _, to := range foldedTo(replies) {
		b.WriteString("@" + to + " ")
	}
	for _, o := range replies {
		if o.fold.Number > 0 {
			nums = append(nums, o.fold.Number)
		}
	}
	f := replies[0].fold
	b.WriteString(f.Lead)
	if len(nums) > 0 {
		b.WriteString(numberList(f.Noun, nums))
	}
	b.WriteString(f.Tail)
	return Sanitize(b.String())
}

// foldedTo lists the viewers replies are for, each once, in order.
func foldedTo(replies []*outgoing) []string {
	var to []string
	for _, o := range replies {
		if !slices.Contains(to, o.fold.To) {
			to = append(to, o.fold.To)
		}
	}
	return to
}

// numberList says numbers the way a moderator reads them: "ticket #12",
// "tickets #12, #13", "tickets #12–#14, #17". Runs of three or more are
// ranges; numbers are sorted and said once.
func numberList(noun string, nums []int64) string {
	nums = slices.Clone(nums)
	slices.Sort(nums)
	nums = slices.Compact(nums)
	var parts []string
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, fmt.Sprintf("#%d–#%d", nums[i], nums[j]))
		default:
			for k := i; k <= j; k++ {
				parts = append(parts, fmt.Sprintf("#%d", nums[k]))
			}
		}
		i = j + 1
	}
	if len(nums) > 1 {
		noun += "s"
	}
	return noun + " " + strings.Join(parts, ", ")
}
