-- PostgreSQL's migration of this name leaves room on the orders table's pages for in-place
-- updates (fillfactor). SQLite has no such setting: nothing to do, kept so both sets stay in step.
SELECT 1;
