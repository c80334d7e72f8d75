package escalation

import (
	"context"
	"fmt"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// FAQFix is what a viewer's !wrong files: the question they asked, the FAQ
// entry that answered and the answer they got.
type FAQFix struct {
	Question string
	FAQ      string
	Answer   string
	// AskedAt is when the question was asked.
	AskedAt time.Time
}

// FileFAQFix files a faq-fix ticket for the streamer. The question and the
// answer given ride in the ticket's text, where !ticket, !tickets and
// `bot tickets show` show them, and as its context lines.
func (d *Desk) FileFAQFix(ctx context.Context, msg chat.Message, fix FAQFix) (Ticket, error) {
	text := fmt.Sprintf("FAQ %q answered %s with %s", fix.FAQ, quoted(fix.Question, 150), quoted(fix.Answer, 250))
	at := d.at(msg)
	asked := fix.AskedAt
	if asked.IsZero() {
		asked = at
	}
	t, _, err := d.store.Create(ctx, NewTicket{
		Channel: d.channel, Kind: KindFAQFix, Source: SourceWrong, Text: text, MessageID: opID(msg),
		Askers:  []Asker{askerOf(msg, fix.Question, at)},
		Context: []Line{{At: asked, Text: fix.Question}, {At: asked, Text: "bot (" + fix.FAQ + "): " + fix.Answer}},
		At:      at,
	})
	if err != nil {
		return Ticket{}, fmt.Errorf("file faq-fix for %s: %w", fix.FAQ, err)
	}
	d.track(t)
	d.log.Info("faq-fix filed", "ticket", t.Ref(), "faq", fix.FAQ, "user", msg.User)
	return t, nil
}
