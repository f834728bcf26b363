/*
 * Intrusive red-black tree, modelled on lib/rbtree.c. Parent and colour are
 * kept in separate fields instead of being packed into one word.
 *
 * The left/right cases are written once: dir 0 means "left", 1 means "right",
 * and child(n, dir) gives the slot holding that child.
 */
#include "rbtree.h"

/* Deepest path rb_check() accepts; a valid tree is at most 2*log2(n+1) deep. */
#define RB_CHECK_MAX_DEPTH 128

/* Models rb_is_red(); a NULL (NIL) node counts as black. */
static bool is_red(const struct rb_node *n)
{
	return n && n->rb_colour == RB_RED;
}

/* Helper (no direct kernel counterpart): the slot of n's child on side dir. */
static struct rb_node **child(struct rb_node *n, int dir)
{
	return dir ? &n->rb_right : &n->rb_left;
}

/* Models __rb_change_child(): make parent (or the root) point at new_n. */
static void change_child(struct rb_node *old_n, struct rb_node *new_n,
			 struct rb_node *parent, struct rb_root *root)
{
	if (!parent)
		root->rb_node = new_n;
	else if (parent->rb_left == old_n)
		parent->rb_left = new_n;
	else
		parent->rb_right = new_n;
}

/*
 * Models the rotations inlined in __rb_insert()/____rb_erase_color(): x moves
 * down to side dir and its child on the other side takes its place.
 */
static void rotate(struct rb_node *x, int dir, struct rb_root *root)
{
	struct rb_node *y = *child(x, !dir);
	struct rb_node *inner = *child(y, dir);

	*child(x, !dir) = inner;
	if (inner)
		inner->rb_parent = x;
	y->rb_parent = x->rb_parent;
	change_child(x, y, x->rb_parent, root);
	*child(y, dir) = x;
	x->rb_parent = y;
}

/*
 * Models one pass of the __rb_insert() loop, for a red node under a red
 * parent. Returns the node to continue from, or NULL when balanced.
 */
static struct rb_node *insert_step(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *parent = node->rb_parent;
	struct rb_node *gparent = parent->rb_parent;
	int dir = parent == gparent->rb_right;
	struct rb_node *uncle = *child(gparent, !dir);

	if (is_red(uncle)) {
		parent->rb_colour = RB_BLACK;
		uncle->rb_colour = RB_BLACK;
		gparent->rb_colour = RB_RED;
		return gparent;
	}
	if (node == *child(parent, !dir)) {
		rotate(parent, dir, root);
		parent = node;
	}
	parent->rb_colour = RB_BLACK;
	gparent->rb_colour = RB_RED;
	rotate(gparent, !dir, root);
	return NULL;
}

/* Models rb_insert_color() (__rb_insert()). */
void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	while (node && is_red(node->rb_parent))
		node = insert_step(node, root);
	root->rb_node->rb_colour = RB_BLACK;
}

/*
 * Models one pass of the ____rb_erase_color() loop: x (possibly NIL) below
 * parent is one black short. Returns the node to continue from (x's parent
 * after a pure recolour), or NULL when the deficit is fixed.
 */
static struct rb_node *erase_step(struct rb_node *x, struct rb_node *parent,
				  struct rb_root *root)
{
	int dir = parent->rb_left != x;
	struct rb_node *sib = *child(parent, !dir);

	if (is_red(sib)) {
		sib->rb_colour = RB_BLACK;
		parent->rb_colour = RB_RED;
		rotate(parent, dir, root);
		sib = *child(parent, !dir);
	}
	if (!is_red(sib->rb_left) && !is_red(sib->rb_right)) {
		sib->rb_colour = RB_RED;
		return parent;
	}
	if (!is_red(*child(sib, !dir))) {
		(*child(sib, dir))->rb_colour = RB_BLACK;
		sib->rb_colour = RB_RED;
		rotate(sib, !dir, root);
		sib = *child(parent, !dir);
	}
	sib->rb_colour = parent->rb_colour;
	parent->rb_colour = RB_BLACK;
	(*child(sib, !dir))->rb_colour = RB_BLACK;
	rotate(parent, dir, root);
	return NULL;
}

/* Models ____rb_erase_color(): restore black height after a black removal. */
static void erase_color(struct rb_node *x, struct rb_node *parent,
			struct rb_root *root)
{
	while (parent && !is_red(x)) {
		struct rb_node *up = erase_step(x, parent, root);

		if (!up)
			return;
		x = up;
		parent = up->rb_parent;
	}
	if (x)
		x->rb_colour = RB_BLACK;
}

/*
 * Models the two-children case of __rb_erase_augmented(): the in-order
 * successor takes node's place and colour. Sets *parent to where the
 * successor's old right child now hangs and returns that child; *colour
 * receives the colour that was removed from the tree.
 */
static struct rb_node *erase_two_children(struct rb_node *node,
					  struct rb_root *root,
					  struct rb_node **parent,
					  enum rb_colour *colour)
{
	struct rb_node *succ = node->rb_right;
	struct rb_node *x;

	while (succ->rb_left)
		succ = succ->rb_left;
	x = succ->rb_right;
	*colour = succ->rb_colour;
	if (succ == node->rb_right) {
		*parent = succ;
	} else {
		*parent = succ->rb_parent;
		(*parent)->rb_left = x;
		if (x)
			x->rb_parent = *parent;
		succ->rb_right = node->rb_right;
		node->rb_right->rb_parent = succ;
	}
	succ->rb_left = node->rb_left;
	node->rb_left->rb_parent = succ;
	succ->rb_parent = node->rb_parent;
	succ->rb_colour = node->rb_colour;
	change_child(node, succ, node->rb_parent, root);
	return x;
}

/* Models rb_erase() (__rb_erase_augmented() then ____rb_erase_color()). */
void rb_erase(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *parent, *x;
	enum rb_colour colour;

	if (node->rb_left && node->rb_right) {
		x = erase_two_children(node, root, &parent, &colour);
	} else {
		x = node->rb_left ? node->rb_left : node->rb_right;
		parent = node->rb_parent;
		colour = node->rb_colour;
		if (x)
			x->rb_parent = parent;
		change_child(node, x, parent, root);
	}
	if (colour == RB_BLACK)
		erase_color(x, parent, root);
}

/* Models rb_insert_color_cached(). */
void rb_insert_color_cached(struct rb_node *node, struct rb_root_cached *root,
			    bool leftmost)
{
	if (leftmost)
		root->rb_leftmost = node;
	rb_insert_color(node, &root->rb_root);
}

/* Models rb_erase_cached(). */
void rb_erase_cached(struct rb_node *node, struct rb_root_cached *root)
{
	if (root->rb_leftmost == node)
		root->rb_leftmost = rb_next(node);
	rb_erase(node, &root->rb_root);
}

/* Helper for rb_first()/rb_next(): deepest node down the side dir from n. */
static struct rb_node *extreme(struct rb_node *n, int dir)
{
	if (!n)
		return NULL;
	while (*child(n, dir))
		n = *child(n, dir);
	return n;
}

/*
 * Helper for rb_next()/rb_prev(): the in-order neighbour of node on side dir
 * (1 = next, 0 = previous).
 */
static struct rb_node *neighbour(const struct rb_node *node, int dir)
{
	struct rb_node *down = dir ? node->rb_right : node->rb_left;
	const struct rb_node *n = node;
	struct rb_node *parent;

	if (down)
		return extreme(down, !dir);
	while ((parent = n->rb_parent) && n == *child(parent, dir))
		n = parent;
	return parent;
}

/* Models rb_first(). */
struct rb_node *rb_first(const struct rb_root *root)
{
	return extreme(root->rb_node, 0);
}

/* Models rb_last(). */
struct rb_node *rb_last(const struct rb_root *root)
{
	return extreme(root->rb_node, 1);
}

/* Models rb_next(). */
struct rb_node *rb_next(const struct rb_node *node)
{
	return neighbour(node, 1);
}

/* Models rb_prev(). */
struct rb_node *rb_prev(const struct rb_node *node)
{
	return neighbour(node, 0);
}

/* State carried through rb_check()'s walk (no kernel counterpart). */
struct check_state {
	int (*cmp)(const struct rb_node *a, const struct rb_node *b);
	const struct rb_node *prev;
	const char *why;
};

/* rb_check() helper: record the first failure reason and return -1. */
static int check_fail(struct check_state *st, const char *why)
{
	st->why = why;
	return -1;
}

/* rb_check() helper: the checks local to one node (colour, links, red-red). */
static int check_local(struct check_state *st, const struct rb_node *n,
		       const struct rb_node *parent, int depth)
{
	if (depth > RB_CHECK_MAX_DEPTH)
		return check_fail(st, "tree deeper than any valid tree (cycle or corrupt links?)");
	if (n->rb_parent != parent)
		return check_fail(st, "parent link does not match child link");
	if (n->rb_colour != RB_RED && n->rb_colour != RB_BLACK)
		return check_fail(st, "node colour is neither red nor black");
	if (n->rb_left && n->rb_left == n->rb_right)
		return check_fail(st, "left and right child are the same node");
	if (is_red(n) && (is_red(n->rb_left) || is_red(n->rb_right)))
		return check_fail(st, "red node has a red child");
	return 0;
}

/* rb_check() helper: in-order key check of n against the previous node. */
static int check_order(struct check_state *st, const struct rb_node *n)
{
	if (st->cmp && st->prev && st->cmp(st->prev, n) >= 0)
		return check_fail(st, "in-order keys not strictly increasing");
	st->prev = n;
	return 0;
}

/*
 * rb_check() helper: validate the subtree at n and return its black height
 * (NIL leaves count 0), or -1 on failure. Recursion depth is bounded.
 */
static int check_subtree(struct check_state *st, const struct rb_node *n,
			 const struct rb_node *parent, int depth)
{
	int lh, rh;

	if (!n)
		return 0;
	if (check_local(st, n, parent, depth))
		return -1;
	lh = check_subtree(st, n->rb_left, n, depth + 1);
	if (lh < 0 || check_order(st, n))
		return -1;
	rh = check_subtree(st, n->rb_right, n, depth + 1);
	if (rh < 0)
		return -1;
	if (lh != rh)
		return check_fail(st, "black height differs between subtrees");
	return lh + (n->rb_colour == RB_BLACK);
}

/* Invariant checker (no kernel counterpart); see rbtree.h. */
int rb_check(const struct rb_root *root,
	     int (*cmp)(const struct rb_node *a, const struct rb_node *b),
	     const char **why)
{
	struct check_state st = { cmp, NULL, NULL };
	int rc = 0;

	if (is_red(root->rb_node))
		rc = check_fail(&st, "root is red");
	else if (check_subtree(&st, root->rb_node, NULL, 1) < 0)
		rc = -1;
	if (why)
		*why = st.why;
	return rc;
}
