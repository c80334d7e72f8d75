package escalation

import "time"

// crowd notices an unanswered question that several viewers ask: each
// unanswered question joins the group of recent questions it is similar to,
// or starts one; a group that holds n distinct viewers within the window is
// worth a moderator's time. It is not safe for concurrent use; the desk
// guards it.
//
// A question is compared only with the groups that share a telling term
// with it (the index); of those it matches, it joins the one asked least
// recently, as a walk over every group in that order would.
type crowd struct {
	n      int
	within time.Duration
	// groups are in the order they were last asked, least recent first;
	// their order fields rise along it.
	groups []*crowdGroup
	index  *questionIndex[*crowdGroup]
	next   int64
}

type crowdGroup struct {
	q       wording // the first wording
	members []crowdMember
	order   int64
}

type crowdMember struct {
	asker Asker
	q     wording
}

// maxCrowdGroups bounds the memory a busy chat can take: past it, the
// group asked least recently is forgotten.
const maxCrowdGroups = 256

// add records a question and returns the askers of its group when the group
// just reached n distinct viewers; the group is then forgotten, since the
// ticket filed for it takes over.
func (c *crowd) add(a Asker, q wording) []Asker {
	if c.n < 2 || len(q.terms) == 0 {
		return nil
	}
	if c.index == nil {
		c.index = newQuestionIndex[*crowdGroup]()
	}
	c.expire(a.At)
	var g *crowdGroup
	c.index.candidates(q, func(cand *crowdGroup) {
		if (g == nil || cand.order < g.order) && cand.matches(q) {
			g = cand
		}
	})
	if g == nil {
		if len(c.groups) >= maxCrowdGroups {
			c.forget(c.groups[0])
			c.groups = c.groups[1:]
		}
		g = &crowdGroup{q: q}
		c.index.add(g, q)
		c.groups = append(c.groups, g)
	}
	for i, m := range g.members {
		if m.asker.User == a.User {
			// The same viewer asking again does not make a crowd; keep
			// their latest wording and message to answer under.
			g.members = append(g.members[:i], g.members[i+1:]...)
			break
		}
	}
	g.members = append(g.members, crowdMember{asker: a, q: q})
	c.index.add(g, q)
	c.touch(g)
	if len(g.members) < c.n {
		return nil
	}
	out := make([]Asker, len(g.members))
	for i, m := range g.members {
		out[i] = m.asker
	}
	c.drop(g)
	return out
}

// matches reports whether q asks what the group's first wording or any of
// its members' asks.
func (g *crowdGroup) matches(q wording) bool {
	if similar(g.q, q) {
		return true
	}
	for _, m := range g.members {
		if similar(m.q, q) {
			return true
		}
	}
	return false
}

// expire forgets questions older than the window.
func (c *crowd) expire(now time.Time) {
	kept := c.groups[:0]
	for _, g := range c.groups {
		members := g.members[:0]
		for _, m := range g.members {
			if now.Sub(m.asker.At) < c.within {
				members = append(members, m)
			}
		}
		g.members = members
		if len(members) > 0 {
			kept = append(kept, g)
		} else {
			c.forget(g)
		}
	}
	clear(c.groups[len(kept):])
	c.groups = kept
}

// forget takes g out of the index. A member who left a living group stays
// filed under its terms until the group goes: at worst one comparison too
// many, never a wrong match, since the members are compared themselves.
func (c *crowd) forget(g *crowdGroup) { c.index.remove(g) }

// touch moves g to the end, the most recently asked.
func (c *crowd) touch(g *crowdGroup) {
	c.next++
	g.order = c.next
	for i, x := range c.groups {
		if x == g {
			copy(c.groups[i:], c.groups[i+1:])
			c.groups[len(c.groups)-1] = g
			return
		}
	}
}

func (c *crowd) drop(g *crowdGroup) {
	c.forget(g)
	for i, x := range c.groups {
		if x == g {
			c.groups = append(c.groups[:i], c.groups[i+1:]...)
			return
		}
	}
}
