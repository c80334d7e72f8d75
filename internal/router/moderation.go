package router

import "github.com/chatdesk/chatdesk/internal/moderation"

// Moderation is the channel's rules engine; nil when moderation is off.
func (c *Channel) Moderation() *moderation.Engine { return c.mod }
