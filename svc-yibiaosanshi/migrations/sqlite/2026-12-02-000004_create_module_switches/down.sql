DROP TABLE module_switches;
