-- The themes of one revisit per touchpoint for the scorecard, with their change since the previous revisit.
SELECT t.*, c.change, c.q_value, c.significant, c.previous_revisit_id
FROM marts.comment_themes t
LEFT JOIN marts.theme_changes c USING (revisit_id, touchpoint_id, theme_id)
WHERE t.revisit_id = $revisit_id
ORDER BY t.touchpoint_id, t.n_negative DESC, t.n_theme DESC, t.theme_id;
