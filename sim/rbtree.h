/*
 * Intrusive red-black tree, modelled on include/linux/rbtree.h and lib/rbtree.c.
 * The caller descends the tree and links the new node (rb_link_node); the tree
 * only recolours and rotates (rb_insert_color, rb_erase).
 */
#ifndef EPSIM_RBTREE_H
#define EPSIM_RBTREE_H

#include <stddef.h>
#include <stdbool.h>
#include "list.h"

enum rb_colour { RB_RED = 0, RB_BLACK = 1 };

struct rb_node {
	struct rb_node *rb_parent;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
	enum rb_colour rb_colour;
};

struct rb_root {
	struct rb_node *rb_node;
};

/* Models struct rb_root_cached: the root plus the leftmost node. */
struct rb_root_cached {
	struct rb_root rb_root;
	struct rb_node *rb_leftmost;
};

#define RB_ROOT_CACHED ((struct rb_root_cached){ { NULL }, NULL })
#define rb_entry(ptr, type, member) container_of(ptr, type, member)

/* Models rb_link_node(): hang node at *link below parent, coloured red. */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->rb_parent = parent;
	node->rb_left = node->rb_right = NULL;
	node->rb_colour = RB_RED;
	*link = node;
}

/* Models rb_insert_color(): rebalance after rb_link_node. */
void rb_insert_color(struct rb_node *node, struct rb_root *root);
/* Models rb_erase(). */
void rb_erase(struct rb_node *node, struct rb_root *root);
/* Models rb_insert_color_cached(). */
void rb_insert_color_cached(struct rb_node *node, struct rb_root_cached *root, bool leftmost);
/* Models rb_erase_cached(). */
void rb_erase_cached(struct rb_node *node, struct rb_root_cached *root);

/* Models rb_first(), rb_last(), rb_next(), rb_prev(). */
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

static inline struct rb_node *rb_first_cached(const struct rb_root_cached *root)
{
	return root->rb_leftmost;
}

/*
 * Invariant checker (no kernel counterpart): root is black, no red node has a
 * red child, every root-to-NIL path has the same number of black nodes, parent
 * links agree with child links, and (if cmp is given) in-order keys strictly
 * increase. Returns 0 if the tree is valid, -1 otherwise, with a reason in *why.
 */
int rb_check(const struct rb_root *root,
	     int (*cmp)(const struct rb_node *a, const struct rb_node *b),
	     const char **why);

#endif
