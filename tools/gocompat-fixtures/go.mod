module spike-ts/tools/gocompat-fixtures

go 1.22
