/**
 * The CSS linter of style/*.css, run by .ci/run: stylelint's standard config, which also
 * refuses what the browser would silently mis-read (an unclosed block, an unknown property,
 * a duplicate selector).
 *
 * One rule is off: `no-descending-specificity` compares selectors of unrelated components by
 * their order in the file (`.pager a` after `.user-nav a:hover`) and would have the
 * stylesheet sorted by specificity rather than by page.
 */
export default {
  extends: ['stylelint-config-standard'],
  rules: {
    'no-descending-specificity': null,
  },
};
