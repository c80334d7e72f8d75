package router

import (
	"context"
	"errors"
	"os"

	"github.com/chatdesk/chatdesk/internal/chat"

	"github.com/chatdesk/chatdesk/internal/moderation"
)

// Moderation is the channel's rules engine; nil when moderation is off.
func (c *Channel) Moderation() *moderation.Engine { return c.mod }

// FAQFiles are the files the channel answers from, as `bot check` loads
// them: its FAQ files, and the file !learn writes once it exists.
func (c *Channel) FAQFiles() []string {
	files := append([]string(nil), c.files...)
	if c.learned != nil {
		if _, err := os.Stat(c.learned.Path()); !errors.Is(err, os.ErrNotExist) {
			files = append(files, c.learned.Path())
		}
	}
	return files
}

// DeliverFromStaff posts what a moderator or the broadcaster decided away
// from chat (the web desk) the way their chat commands' replies go out:
// first in the send queue, never stale, one by one.
func (c *Channel) DeliverFromStaff(ctx context.Context, msg chat.Message, d chat.Decision) error {
	d.Replies = forStaff(d.Replies)
	return c.Deliver(ctx, msg, d)
}
