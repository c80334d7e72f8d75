package router

import (
	"context"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// pointTo makes !help, and !faq when it has no answer to give, end with
// the address of the channel's knowledge base, where every answer is.
func (c *Commands) pointTo(url string) {
	if url == "" {
		return
	}
	for _, name := range []string{"help", "faq"} {
		cmd, ok := c.byName[name]
		if !ok {
			continue
		}
		run := cmd.Run
		cmd.Run = func(ctx context.Context, msg chat.Message, args string) chat.Decision {
			d := run(ctx, msg, args)
			if d.FAQ == "" && len(d.Replies) > 0 {
				last := &d.Replies[len(d.Replies)-1]
				last.Text += " · all answers: " + url
			}
			return d
		}
		c.byName[name] = cmd
	}
}
