package answer

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// FAQCommand is "!faq <question or entry id>": an explicit request, so it
// skips question detection; it still needs a confident match, because a
// wrong answer is worse than none. Without arguments it lists the topics.
func FAQCommand(r *Responder) chat.Command {
	return chat.Command{
		Name:  "faq",
		Usage: "!faq <question>",
		Run: func(_ context.Context, msg chat.Message, args string) chat.Decision {
			reply := func(text string) chat.Decision {
				return chat.Decision{Action: chat.ActionCommand, Replies: []chat.Reply{{Text: text, ParentID: msg.ID, Priority: chat.PriorityCommand}}}
			}
			if args == "" {
				return reply("Ask me like this: !faq when do you stream? — topics: " + topics(r.Entries()))
			}
			for _, e := range r.Entries() {
				if strings.EqualFold(e.ID, args) {
					d := r.Answer(msg, Candidate{Entry: &e, Confidence: 1})
					d.Action = chat.ActionCommand
					return d
				}
			}
			res, err := r.Lookup(args, 1)
			if err != nil || res.Best == nil {
				return reply("I have no answer for that yet — topics: " + topics(r.Entries()))
			}
			d := r.Answer(msg, *res.Best)
			d.Action = chat.ActionCommand
			return d
		},
	}
}

// topics lists entry ids, as many as fit in one chat message.
func topics(entries []Entry) string {
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, e.ID)
	}
	sort.Strings(ids)
	var b strings.Builder
	for i, id := range ids {
		if b.Len()+len(id)+2 > 380 {
			fmt.Fprintf(&b, " … (+%d)", len(ids)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(id)
	}
	return b.String()
}
